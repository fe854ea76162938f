using PayApi.Contracts;

namespace PayApi.ProviderData;

/// <summary>The <c>head@N</c> chunk: the balance and each list's window, enough to activate a connection in one read.</summary>
internal sealed record HeadChunk(
    DateTimeOffset FetchedAt,
    IReadOnlyList<BalanceAmount> Balances,
    ListHead<TransactionItem> Transactions,
    ListHead<PayoutItem> Payouts);

/// <summary>A list's newest items and its full length.</summary>
internal sealed record ListHead<T>(IReadOnlyList<T> Newest, int Total);

/// <summary>
/// The <c>index@N</c> chunk: every part chunk of each list, newest first, with the span of items it holds, and where
/// incremental sync stands (null for data fetched whole, and in indexes of earlier builds).
/// </summary>
internal sealed record IndexChunk(DateTimeOffset FetchedAt, IReadOnlyList<PartRef> Transactions, IReadOnlyList<PartRef> Payouts, SyncMarks? Sync = null);

/// <summary>
/// One part chunk as the index names it. <see cref="Hash"/> (SHA-256 of the plaintext, inside the sealed index only)
/// lets the next write keep a part whose items did not change instead of writing it again.
/// </summary>
internal sealed record PartRef(string Name, int Count, string Hash, DateTimeOffset NewestDate, string NewestId, DateTimeOffset OldestDate, string OldestId)
{
    public ItemPosition Newest => new(NewestDate, NewestId);

    public ItemPosition Oldest => new(OldestDate, OldestId);

    /// <summary>The name without its generation: which part of which list this is.</summary>
    public string Slot => Name[..Name.LastIndexOf('@')];
}
