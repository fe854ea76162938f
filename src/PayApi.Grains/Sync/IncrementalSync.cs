using PayApi.Contracts;
using PayApi.ProviderData;
using PayApi.Providers;
using PayApi.Vault;

namespace PayApi.Grains.Sync;

/// <summary>
/// One connection's incremental sync with a provider that lists by creation time. A refresh reads the balance and,
/// per list, only what was created since the list's high-water mark less the provider's update overlap, so its cost
/// follows what changed, not the account's age. The first refresh reads each list's newest page and leaves a walk of
/// the older history, which <see cref="ContinueAsync"/> reads a bounded batch at a time in the background. Every step
/// is merged into a new generation of the connection's data with the marks sealed beside it; the caller commits it.
/// </summary>
public sealed class IncrementalSync(IProviderAdapter adapter, IIncrementalProvider provider, ConnectionDataStore data, SyncOptions options)
{
    private delegate Task<ProviderPage<T>> Lister<T>(ProviderListRequest request, CancellationToken ct);

    /// <summary>
    /// A sync step's result: the generation written, the marks stored with it, the provider requests it took, the items
    /// it read, and the capabilities the provider refused meanwhile (a key whose permissions were narrowed).
    /// </summary>
    public sealed record Outcome(ConnectionDataStore.Written Written, SyncMarks Marks, int Requests, int ItemsRead, IReadOnlyList<string> Refused)
    {
        /// <summary>The transactions this step read from the provider (new, changed, or re-read in the overlap).</summary>
        public IReadOnlyList<TransactionItem> TransactionsRead { get; init; } = [];
    }

    /// <summary>
    /// Reads the balance and each granted list's changes since its high-water mark (its newest pages on the first sync),
    /// and stores them as <paramref name="generation"/> over <paramref name="previousGeneration"/>.
    /// </summary>
    public async Task<Outcome> RefreshAsync(
        DataKey key, long? previousGeneration, long generation, ProviderContext context, IReadOnlyCollection<string> capabilities, DateTimeOffset now, CancellationToken ct)
    {
        var marks = previousGeneration is { } before ? await data.ReadSyncMarksAsync(key, before, ct) ?? SyncMarks.None : SyncMarks.None;
        var step = new Step(capabilities);
        IReadOnlyList<BalanceAmount> balances = [];
        if (step.Reads(Capabilities.Balance))
        {
            balances = await step.CallAsync(Capabilities.Balance, () => adapter.GetBalanceAsync(context, ct)) ?? [];
        }

        var transactions = await ChangesAsync(step, Capabilities.Transactions, ListKind<TransactionItem>.Transactions, (r, c) => provider.ListTransactionsAsync(context, r, c), marks.Transactions, ct);
        var payouts = await ChangesAsync(step, Capabilities.Payouts, ListKind<PayoutItem>.Payouts, (r, c) => provider.ListPayoutsAsync(context, r, c), marks.Payouts, ct);
        return await StoreAsync(key, previousGeneration, generation, new DataUpdate(now, balances, transactions.Update, payouts.Update, new SyncMarks(transactions.Marks, payouts.Marks)), step, ct);
    }

    /// <summary>
    /// One background batch: up to <see cref="SyncOptions.BatchPages"/> pages of the walks still open (older history,
    /// or the rest of a long run of changes), stored as <paramref name="generation"/>. Null when nothing is left to walk.
    /// The data keeps <paramref name="fetchedAt"/>: a batch reads history, not the current balance.
    /// </summary>
    public async Task<Outcome?> ContinueAsync(
        DataKey key, long previousGeneration, long generation, ProviderContext context, IReadOnlyCollection<string> capabilities, DateTimeOffset fetchedAt, CancellationToken ct)
    {
        var marks = await data.ReadSyncMarksAsync(key, previousGeneration, ct);
        if (marks is not { IsBackfilling: true })
        {
            return null;
        }

        var step = new Step(capabilities) { PagesLeft = options.BatchPages };

        // Payouts first: a handful of pages at most, so their history is whole early even while charges take minutes.
        var payouts = await WalkAsync(step, Capabilities.Payouts, ListKind<PayoutItem>.Payouts, (r, c) => provider.ListPayoutsAsync(context, r, c), marks.Payouts, ct);
        var transactions = await WalkAsync(step, Capabilities.Transactions, ListKind<TransactionItem>.Transactions, (r, c) => provider.ListTransactionsAsync(context, r, c), marks.Transactions, ct);
        return await StoreAsync(key, previousGeneration, generation, new DataUpdate(fetchedAt, null, transactions.Update, payouts.Update, new SyncMarks(transactions.Marks, payouts.Marks)), step, ct);
    }

    private async Task<Outcome> StoreAsync(DataKey key, long? previousGeneration, long generation, DataUpdate update, Step step, CancellationToken ct)
    {
        var written = await data.MergeAsync(key, previousGeneration, generation, update, ct);
        return new Outcome(written, update.Marks, step.Requests, update.Transactions.Items.Count + update.Payouts.Items.Count, step.Refused)
        {
            TransactionsRead = update.Transactions.Items,
        };
    }

    private async Task<(ListUpdate<T> Update, ListSyncMarks Marks)> ChangesAsync<T>(
        Step step, string capability, ListKind<T> kind, Lister<T> list, ListSyncMarks marks, CancellationToken ct)
        where T : class
    {
        if (!step.Reads(capability))
        {
            return (ListUpdate<T>.Unchanged, marks with { Walks = [] });
        }

        if (marks.HighWater is not { } highWater)
        {
            // The first sync: the newest pages now, so reads have something at once (a small account, all of it); the
            // rest is walked in the background.
            var firstItems = new List<T>();
            DateTimeOffset? firstHighWater = null;
            string? after = null;
            for (var page = 0; page < options.FirstSyncPages; page++)
            {
                var result = await step.CallAsync(capability, () => list(new ProviderListRequest(after), ct));
                if (result is null)
                {
                    return (new ListUpdate<T>(firstItems), marks with { Walks = [] });
                }

                firstHighWater ??= HighWaterOf(kind, result);
                firstItems.AddRange(result.Items);
                after = result.NextCursor;
                if (after is null)
                {
                    break;
                }
            }

            var walks = marks.Walks.ToList();
            if (after is not null)
            {
                walks.Add(new SyncWalk(after, null));
            }

            return (new ListUpdate<T>(firstItems, GrowsOlder: walks.Count > 0), new ListSyncMarks(firstHighWater ?? marks.HighWater, walks, Oldest(kind, marks.OldestAt, firstItems)));
        }

        // Everything created since the mark, less the overlap in which items still change after they were first read.
        var since = highWater - provider.UpdateOverlap;
        var items = new List<T>();
        var open = marks.Walks.ToList();
        var newHighWater = highWater;
        string? next = null;
        for (var page = 0; ; page++)
        {
            if (page == options.RefreshPages)
            {
                // A long run of changes (an account idle for months): the rest is read in the background.
                open.Insert(0, new SyncWalk(next!, since));
                break;
            }

            var result = await step.CallAsync(capability, () => list(new ProviderListRequest(next, since), ct));
            if (result is null)
            {
                return (new ListUpdate<T>(items, since), marks with { Walks = [] });
            }

            if (page == 0 && HighWaterOf(kind, result) is { } newest && newest > newHighWater)
            {
                newHighWater = newest;
            }

            items.AddRange(result.Items);
            next = result.NextCursor;
            if (next is null)
            {
                break;
            }
        }

        return (new ListUpdate<T>(items, since), new ListSyncMarks(newHighWater, open, Oldest(kind, marks.OldestAt, items)));
    }

    private static async Task<(ListUpdate<T> Update, ListSyncMarks Marks)> WalkAsync<T>(
        Step step, string capability, ListKind<T> kind, Lister<T> list, ListSyncMarks marks, CancellationToken ct)
        where T : class
    {
        if (!step.Reads(capability))
        {
            return (ListUpdate<T>.Unchanged, marks with { Walks = [] });
        }

        var walks = marks.Walks.ToList();
        var items = new List<T>();
        DateTimeOffset? rewriteFrom = null;
        var older = false;
        while (walks.Count > 0 && step.PagesLeft > 0)
        {
            var walk = walks[0];
            step.PagesLeft--;
            var page = await step.CallAsync(capability, () => list(new ProviderListRequest(walk.Cursor, walk.CreatedSince), ct));
            if (page is null)
            {
                walks.Clear();
                break;
            }

            items.AddRange(page.Items);
            if (walk.CreatedSince is { } since)
            {
                rewriteFrom = rewriteFrom is { } earlier && earlier < since ? earlier : since;
            }
            else
            {
                older = true;
            }

            if (page.NextCursor is { } cursor)
            {
                walks[0] = walk with { Cursor = cursor };
            }
            else
            {
                walks.RemoveAt(0);
            }
        }

        return (new ListUpdate<T>(items, rewriteFrom, older), marks with { Walks = walks, OldestAt = Oldest(kind, marks.OldestAt, items) });
    }

    /// <summary>When the page's newest item was created; providers report it (a payout's date is its arrival, not its creation).</summary>
    private static DateTimeOffset? HighWaterOf<T>(ListKind<T> kind, ProviderPage<T> page)
        where T : class =>
        page.NewestCreatedAt ?? (page.Items.Count > 0 ? kind.DateOf(page.Items[0]) : null);

    private static DateTimeOffset? Oldest<T>(ListKind<T> kind, DateTimeOffset? before, IReadOnlyList<T> items)
        where T : class
    {
        var oldest = before;
        foreach (var item in items)
        {
            var date = kind.DateOf(item);
            if (oldest is null || date < oldest)
            {
                oldest = date;
            }
        }

        return oldest;
    }

    /// <summary>The bookkeeping of one step: capabilities still readable, requests made, pages left, refusals met.</summary>
    private sealed class Step(IReadOnlyCollection<string> capabilities)
    {
        private readonly List<string> _refused = [];

        public int Requests { get; private set; }

        public int PagesLeft { get; set; } = int.MaxValue;

        public IReadOnlyList<string> Refused => _refused;

        public bool Reads(string capability) => capabilities.Contains(capability) && !_refused.Contains(capability);

        /// <summary>
        /// One provider call. A refusal of this one capability (the key lost that permission) is recorded and answers
        /// null, so the other capabilities still sync; every other failure ends the step.
        /// </summary>
        public async Task<TResult?> CallAsync<TResult>(string capability, Func<Task<TResult>> call)
            where TResult : class
        {
            Requests++;
            try
            {
                return await call();
            }
            catch (PayApiException e) when (e.Code == ErrorCodes.Forbidden)
            {
                _refused.Add(capability);
                return null;
            }
        }
    }
}
