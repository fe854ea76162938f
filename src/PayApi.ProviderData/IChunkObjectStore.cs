namespace PayApi.ProviderData;

/// <summary>
/// Objects for chunks too large to keep as key-value items (S3 beside DynamoDB). Keys are plain slash-separated
/// names; the content is sealed before it gets here.
/// </summary>
public interface IChunkObjectStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>The content, or null when there is no object under <paramref name="key"/>.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct);

    /// <summary>Every key that starts with <paramref name="prefix"/>.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct);

    /// <summary>Deletes the keys; keys that do not exist are ignored.</summary>
    Task DeleteAsync(IReadOnlyCollection<string> keys, CancellationToken ct);
}
