using System.Security.Cryptography;
using PayApi.Contracts;
using PayApi.Vault;
using Xunit;

namespace PayApi.ProviderData.Tests;

/// <summary>
/// Incremental sync's writes (<see cref="ConnectionDataStore.MergeAsync"/>) over a real SQLite chunk store: a history
/// backfilled in batches and topped up with new items reads back exactly as the whole list, each step writing only
/// the parts it touches, whatever the length of the history.
/// </summary>
public sealed class DataMergeTests : IDisposable
{
    private static readonly ListKind<TransactionItem> Transactions = ListKind<TransactionItem>.Transactions;
    private static readonly ListKind<PayoutItem> Payouts = ListKind<PayoutItem>.Payouts;
    private static readonly DateTimeOffset FetchedAt = History.Newest.AddMinutes(5);

    private readonly SqliteFolder _folder = new();
    private readonly DataKey _key = new(new EncryptionContext("client_1", "conn_1"), RandomNumberGenerator.GetBytes(32));
    private readonly CountingChunkStore _store;
    private ConnectionDataStore _data;
    private long _generation;
    private IReadOnlySet<string> _names = new HashSet<string>();

    public DataMergeTests()
    {
        _store = new CountingChunkStore(_folder.NewStore());
        _data = new ConnectionDataStore(_store, "conn_1", new ProviderDataOptions { ChunkItems = 200 });
    }

    public void Dispose()
    {
        _key.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_history_backfilled_in_batches_reads_back_whole_and_each_batch_writes_only_what_it_adds()
    {
        // Parts are cut by count here (a month holds more than twice ChunkItems), where leftovers would show.
        _data = new ConnectionDataStore(_store, "conn_1", new ProviderDataOptions { ChunkItems = 50 });
        var history = History.Transactions(6_000);
        long? generation = null;
        var putsPerBatch = new List<int>();

        // The first step: the newest page; then batches of 500 older items, as a background backfill reads them.
        generation = await MergeAsync(generation, Tx(history.Take(100).ToList(), growsOlder: true), balances: [new BalanceAmount("usd", 1, 2)]);
        for (var from = 100; from < history.Count; from += 500)
        {
            _store.Puts = 0;
            generation = await MergeAsync(generation, Tx(history.Skip(from).Take(500).ToList(), growsOlder: true));
            putsPerBatch.Add(_store.Puts);
            await _data.RemoveAllExceptAsync(_names, default);
        }

        Assert.Equal(History.Expected(Transactions, history).Select(t => t.Id), (await ReadAllAsync(generation.Value)).Select(t => t.Id));

        // Head, index, and the parts the batch fills: the same for the last batch as for the second, however long the history.
        Assert.All(putsPerBatch, puts => Assert.InRange(puts, 2, 2 + 11));

        // A batch's leftovers are absorbed by the next batch below them, not left behind as slivers.
        var window = await _data.ReadWindowAsync(_key, generation.Value, default);
        Assert.Equal(6_000, window.Transactions.Total);
        Assert.Equal(101, window.Transactions.Newest.Count); // what an active connection holds, whatever the history
        Assert.Equal(History.Expected(Transactions, history).Take(101), window.Transactions.Newest);
        Assert.Equal([new BalanceAmount("usd", 1, 2)], window.Balances); // batches keep the balance of the last refresh
        Assert.Equal(_names.Order(StringComparer.Ordinal), (await _store.ListAsync("conn_1", default)).Order(StringComparer.Ordinal));
        // Every part between the two ends is full (at least ChunkItems, cut at a month's end or at twice ChunkItems).
        var parts = await PartsAsync(generation.Value);
        Assert.InRange(parts.Count, 6_000 / 100, 6_000 / 50);
        Assert.All(parts.Skip(1).SkipLast(1), part => Assert.InRange(part.Count, 50, 100));
    }

    [Fact]
    public async Task A_refresh_that_reads_its_overlap_again_unchanged_rewrites_no_part()
    {
        var history = History.Transactions(3_000);
        var generation = await MergeAsync(null, Tx(history));

        // The overlap: the newest 40 items read again, exactly as they were.
        _store.Puts = 0;
        var since = history[39].Date;
        generation = await MergeAsync(generation, new ListUpdate<TransactionItem>(history.Take(40).ToList(), since));
        Assert.Equal(2, _store.Puts); // head and index only
        Assert.Equal(History.Expected(Transactions, history).Select(t => t.Id), (await ReadAllAsync(generation)).Select(t => t.Id));
    }

    [Fact]
    public async Task New_and_changed_items_are_merged_by_id_and_only_the_newest_parts_are_written()
    {
        var history = History.Transactions(5_000, idPrefix: "txn_b");
        var generation = await MergeAsync(null, Tx(history));

        // Three new items, and one in the overlap whose status changed since it was read.
        var fresh = Enumerable.Range(1, 3).Select(i => new TransactionItem($"txn_new{i}", History.Newest.AddMinutes(i), 100 * i, "usd", "New", "posted")).ToList();
        var changed = history[5] with { Status = "refunded" };
        _store.Puts = 0;
        _store.Reads = 0;
        generation = await MergeAsync(generation, new ListUpdate<TransactionItem>([.. fresh, changed], history[10].Date));
        Assert.InRange(_store.Puts, 3, 4); // the newest part (or two), head and index
        Assert.InRange(_store.Reads, 2, 4); // the previous index and head, and the newest part

        var all = await ReadAllAsync(generation);
        var expected = History.Expected(Transactions, [.. fresh, .. history.Select(t => t.Id == changed.Id ? changed : t)]);
        Assert.Equal(expected, all);
        Assert.Equal("refunded", all.Single(t => t.Id == changed.Id).Status);
    }

    [Fact]
    public async Task An_item_whose_date_moved_within_the_rewritten_span_is_not_kept_twice()
    {
        var payouts = History.Payouts(60);
        var generation = await MergeAsync(null, ListUpdate<TransactionItem>.Unchanged, new ListUpdate<PayoutItem>(payouts));

        // A payout's arrival date moves a day later: read again from the overlap, its old copy goes.
        var moved = payouts[2] with { ArrivalDate = payouts[2].ArrivalDate.AddDays(1), Status = "in_transit" };
        generation = await MergeAsync(generation, ListUpdate<TransactionItem>.Unchanged, new ListUpdate<PayoutItem>([moved], payouts[3].ArrivalDate));
        var (page, _) = await _data.ReadPageAsync(_key, generation, Payouts, new ListQuery(500, null, null, null), default);
        Assert.Equal(60, page.Count);
        Assert.Single(page, p => p.Id == moved.Id);
        Assert.Equal(moved, page.Single(p => p.Id == moved.Id));
    }

    [Fact]
    public async Task Data_fetched_whole_by_an_earlier_build_takes_merges_without_duplicates()
    {
        var history = History.Transactions(1_000);
        var legacy = await _data.WriteAsync(_key, null, 7, History.Snapshot(0) with { Transactions = history }, default);
        Assert.Null(await _data.ReadSyncMarksAsync(_key, 7, default));

        // Sync starts over on top of it: the newest page, then the whole history again as a backfill.
        var generation = await MergeAsync(7, Tx(history.Take(100).ToList(), growsOlder: true));
        generation = await MergeAsync(generation, Tx(history.Skip(100).ToList(), growsOlder: true));
        Assert.Equal(History.Expected(Transactions, history).Select(t => t.Id), (await ReadAllAsync(generation)).Select(t => t.Id));
        Assert.NotNull(legacy);
    }

    [Fact]
    public async Task The_marks_are_stored_with_the_generation_they_describe()
    {
        var marks = new SyncMarks(
            new ListSyncMarks(History.Newest, [new SyncWalk("ch_cursor", null), new SyncWalk("ch_gap", History.Newest.AddDays(-3))], History.Newest.AddYears(-2)),
            new ListSyncMarks(null, [], null));
        var generation = await MergeAsync(null, Tx(History.Transactions(10)), marks: marks);
        var read = await _data.ReadSyncMarksAsync(_key, generation, default);
        Assert.NotNull(read);
        Assert.Equal(marks.Transactions.HighWater, read.Transactions.HighWater);
        Assert.Equal(marks.Transactions.Walks, read.Transactions.Walks);
        Assert.Equal(marks.Transactions.OldestAt, read.Transactions.OldestAt);
        Assert.True(read.IsBackfilling);
        Assert.Equal(History.Newest.AddYears(-2), read.OldestAt);
        Assert.False(new SyncMarks(read.Transactions with { Walks = [] }, read.Payouts).IsBackfilling);
    }

    [Fact]
    public async Task A_merge_over_a_generation_that_is_gone_says_so()
    {
        await Assert.ThrowsAsync<ChunkMissingException>(() => MergeAsync(12345, Tx(History.Transactions(5))));
    }

    private static ListUpdate<TransactionItem> Tx(List<TransactionItem> items, bool growsOlder = false) => new(items, GrowsOlder: growsOlder);

    private async Task<long> MergeAsync(
        long? previous, ListUpdate<TransactionItem> transactions, ListUpdate<PayoutItem>? payouts = null, IReadOnlyList<BalanceAmount>? balances = null, SyncMarks? marks = null)
    {
        var generation = ++_generation;
        var written = await _data.MergeAsync(_key, previous, generation, new DataUpdate(FetchedAt, balances, transactions, payouts ?? ListUpdate<PayoutItem>.Unchanged, marks ?? SyncMarks.None), default);
        Assert.Equal(generation, written.Window.Generation);
        _names = written.ChunkNames;
        return generation;
    }

    private async Task<IReadOnlyList<PartRef>> PartsAsync(long generation)
    {
        var name = ChunkName.Index(generation);
        var plaintext = _key.Open(ChunkName.Field(name), (await _store.GetAsync("conn_1", name, default))!);
        return System.Text.Json.JsonSerializer.Deserialize<IndexChunk>(plaintext, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!.Transactions;
    }

    private Task<List<TransactionItem>> ReadAllAsync(long generation) => History.ReadAllAsync(_data, _key, generation);
}
