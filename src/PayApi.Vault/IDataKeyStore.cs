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

    /// <summary>
    /// One page of records, in the store's own order. Start with a null <paramref name="cursor"/> and pass each
    /// page's <see cref="DataKeyPage.NextCursor"/> until it is null: every record that exists for the whole
    /// listing is returned exactly once; one put or deleted meanwhile may or may not be. A page holds at most
    /// <paramref name="limit"/> records and may hold fewer, even none, before the end. The cursor is opaque:
    /// pass back only what this store returned.
    /// </summary>
    /// <remarks>
    /// Not "ordered by connection id": a key-value store such as DynamoDB can list a table only in its own
    /// (hash) order without putting every key in one partition.
    /// </remarks>
    Task<DataKeyPage> ListAsync(string? cursor, int limit, CancellationToken ct);

    /// <summary>Compare-and-swap: replaces the wrapped key only if it still equals <paramref name="expectedWrapped"/>.</summary>
    Task<bool> ReplaceAsync(string connectionId, string expectedWrapped, string newKeyId, string newWrapped, CancellationToken ct);
}
