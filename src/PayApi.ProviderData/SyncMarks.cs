namespace PayApi.ProviderData;

/// <summary>
/// Where incremental sync stands for each list, sealed inside the <c>index@N</c> chunk beside the parts it describes,
/// so the marks and the data always belong to the same generation (and provider object ids never sit in clear state).
/// </summary>
public sealed record SyncMarks(ListSyncMarks Transactions, ListSyncMarks Payouts)
{
    public static readonly SyncMarks None = new(ListSyncMarks.None, ListSyncMarks.None);

    /// <summary>True while any list still has pages to walk (a backfill, or the rest of a long run of changes).</summary>
    public bool IsBackfilling => Transactions.Walks.Count > 0 || Payouts.Walks.Count > 0;

    /// <summary>The date of the oldest item synced so far, over both lists; null when nothing is synced.</summary>
    public DateTimeOffset? OldestAt =>
        (Transactions.OldestAt, Payouts.OldestAt) switch
        {
            ({ } t, { } p) => t < p ? t : p,
            (var t, var p) => t ?? p,
        };
}

/// <summary>
/// One list's sync: <see cref="HighWater"/>, when the newest item seen was created at the provider (null before the
/// first page is read); the page walks still to do; and the oldest item date synced so far.
/// </summary>
public sealed record ListSyncMarks(DateTimeOffset? HighWater, IReadOnlyList<SyncWalk> Walks, DateTimeOffset? OldestAt)
{
    public static readonly ListSyncMarks None = new(null, [], null);
}

/// <summary>
/// Pages of a list still to read, continuing after <see cref="Cursor"/>: the backfill of older history
/// (<see cref="CreatedSince"/> null), or the rest of a run of changes too long for one refresh (items created at or
/// after <see cref="CreatedSince"/>).
/// </summary>
public sealed record SyncWalk(string Cursor, DateTimeOffset? CreatedSince);

/// <summary>
/// What one sync step brings to a connection's data: new or changed items of each list (merged by id into what is
/// stored), the balance (null keeps the stored one), when the data was last refreshed, and the marks after the step.
/// </summary>
public sealed record DataUpdate(
    DateTimeOffset FetchedAt,
    IReadOnlyList<Contracts.BalanceAmount>? Balances,
    ListUpdate<Contracts.TransactionItem> Transactions,
    ListUpdate<Contracts.PayoutItem> Payouts,
    SyncMarks Marks);

/// <summary>
/// Items to merge into one list. <see cref="RewriteFrom"/>: the parts holding items dated at or after it are read and
/// merged too, because an item read again there may have moved (a payout's arrival date changes) and its old copy must
/// go. <see cref="GrowsOlder"/>: the items extend the list's old end (a backfill), which decides where parts are cut.
/// </summary>
public sealed record ListUpdate<T>(IReadOnlyList<T> Items, DateTimeOffset? RewriteFrom = null, bool GrowsOlder = false)
    where T : class
{
    public static readonly ListUpdate<T> Unchanged = new([]);
}
