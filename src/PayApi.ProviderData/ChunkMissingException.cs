namespace PayApi.ProviderData;

/// <summary>
/// A chunk the index names is not in the store: a newer write replaced this generation while a reader was on it
/// (read again with the current generation), or the data was lost (fetch it afresh).
/// </summary>
public sealed class ChunkMissingException(string connectionId, string name)
    : Exception($"Chunk {name} of connection {connectionId} is not in the chunk store.")
{
    public string ChunkName { get; } = name;
}
