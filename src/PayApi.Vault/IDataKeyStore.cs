namespace PayApi.Vault;

/// <summary>
/// Wrapped data keys, kept apart from bulk data so that restoring a data backup cannot bring back a key
/// that a disconnect deleted (crypto-shredding).
/// </summary>
public interface IDataKeyStore
{
    /// <summary>The wrapped key, or null when the connection has none (never created, or shredded).</summary>
    Task<string?> GetAsync(string connectionId, CancellationToken ct);

    /// <summary>Inserts or replaces the connection's record.</summary>
    Task PutAsync(WrappedKeyRecord record, CancellationToken ct);

    /// <summary>True when a record was deleted.</summary>
    Task<bool> DeleteAsync(string connectionId, CancellationToken ct);

    Task<IReadOnlyDictionary<string, long>> CountByKeyIdAsync(CancellationToken ct);

    /// <summary>Records ordered by connection id, starting after <paramref name="afterConnectionId"/> (keyset paging).</summary>
    Task<IReadOnlyList<WrappedKeyRecord>> ListAsync(string? afterConnectionId, int limit, CancellationToken ct);

    /// <summary>Compare-and-swap: replaces the wrapped key only if it still equals <paramref name="expectedWrapped"/>.</summary>
    Task<bool> ReplaceAsync(string connectionId, string expectedWrapped, string newKeyId, string newWrapped, CancellationToken ct);
}
