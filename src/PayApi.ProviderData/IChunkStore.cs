namespace PayApi.ProviderData;

/// <summary>
/// Where a connection's sealed data chunks are kept, apart from its grain state: a SQLite file on one machine,
/// DynamoDB items (large chunks in S3) on AWS. The store holds ciphertext only and never looks inside; a chunk's
/// name never changes its content once written (a new version gets a new name), so there is no overwrite to race.
/// </summary>
public interface IChunkStore
{
    /// <summary>Stores a chunk under (<paramref name="connectionId"/>, <paramref name="name"/>), replacing one of that name.</summary>
    Task PutAsync(string connectionId, string name, string sealedChunk, CancellationToken ct);

    /// <summary>The sealed chunk, or null when there is none of that name.</summary>
    Task<string?> GetAsync(string connectionId, string name, CancellationToken ct);

    /// <summary>The names of every chunk the connection has, in no particular order.</summary>
    Task<IReadOnlyList<string>> ListAsync(string connectionId, CancellationToken ct);

    /// <summary>Deletes the named chunks; names that do not exist are ignored.</summary>
    Task DeleteAsync(string connectionId, IReadOnlyCollection<string> names, CancellationToken ct);

    /// <summary>Deletes every chunk of the connection (disconnect, expired cache); returns how many there were.</summary>
    Task<int> DeleteAllAsync(string connectionId, CancellationToken ct);
}
