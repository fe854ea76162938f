using System.Security.Cryptography;
using PayApi.Contracts;
using PayApi.Vault;
using Xunit;

namespace PayApi.ProviderData.Tests;

/// <summary>
/// A connection's data over a real chunk store: written as generations, read page by page without loading the whole
/// history, refused when a chunk was changed or moved, and gone after a delete. Each backend supplies the store.
/// </summary>
public abstract class ConnectionDataStoreTests : IAsyncLifetime
{
    private static readonly ListKind<TransactionItem> Transactions = ListKind<TransactionItem>.Transactions;

    // Kept by the test so another owner can be given the very same key bytes: then only the AAD tells them apart.
    private readonly byte[] _keyBytes = RandomNumberGenerator.GetBytes(32);
    private readonly DataKey _key;

    protected ConnectionDataStoreTests()
    {
        _key = new DataKey(new EncryptionContext("client_1", "conn_1"), (byte[])_keyBytes.Clone());
    }

    protected IChunkStore Store { get; private set; } = null!;

    protected abstract Task<IChunkStore> CreateStoreAsync();

    /// <summary>The folders where the backend keeps its bytes, searched for plaintext.</summary>
    protected abstract IEnumerable<string> RawFolders();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync()
    {
        _key.Dispose();
        return Task.CompletedTask;
    }

    private ConnectionDataStore Data(string connectionId = "conn_1", int chunkItems = 500) =>
        new(Store, connectionId, new ProviderDataOptions { ChunkItems = chunkItems });

    [Fact]
    public async Task Twenty_thousand_transactions_page_through_all_of_them_newest_first()
    {
        var snapshot = History.Snapshot(20_000);
        var data = Data();
        var written = await data.WriteAsync(_key, null, 1, snapshot, default);
        var expected = History.Expected(Transactions, snapshot.Transactions);

        // The window holds only the newest items, whatever the history's length.
        Assert.Equal(101, written.Window.Transactions.Newest.Count);
        Assert.Equal(20_000, written.Window.Transactions.Total);
        Assert.True(written.ChunkNames.Count > 20, $"{written.ChunkNames.Count} chunks");

        var seen = new List<string>();
        string? cursor = null;
        var limits = new[] { 500, 137, 1, 500, 499 };
        var pages = 0;
        do
        {
            var query = new ListQuery(limits[pages % limits.Length], cursor, null, null);
            var (page, next) = await data.ReadPageAsync(_key, 1, Transactions, query, default);
            Assert.True(page.Count == query.Limit || next is null);
            seen.AddRange(page.Select(t => t.Id));
            cursor = next;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(expected.Select(t => t.Id), seen);
    }

    [Fact]
    public async Task Date_filters_and_cursors_agree_with_the_plain_answer()
    {
        var snapshot = History.Snapshot(6_000);
        var data = Data(chunkItems: 200);
        var written = await data.WriteAsync(_key, null, 1, snapshot, default);
        var from = History.Newest.AddDays(-300);
        var to = History.Newest.AddDays(-120);
        var expected = History.Expected(Transactions, snapshot.Transactions, from, to);
        Assert.NotEmpty(expected);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var query = new ListQuery(77, cursor, from, to);
            // Where the window can decide, it must agree with the chunks.
            if (written.Window.Transactions.TryPage(Transactions, query, out var fromWindow, out var windowNext))
            {
                var (fromChunks, chunksNext) = await data.ReadPageAsync(_key, 1, Transactions, query, default);
                Assert.Equal(fromChunks.Select(t => t.Id), fromWindow.Select(t => t.Id));
                Assert.Equal(chunksNext, windowNext);
            }

            var (page, next) = await data.ReadPageAsync(_key, 1, Transactions, query, default);
            seen.AddRange(page.Select(t => t.Id));
            cursor = next;
        }
        while (cursor is not null);

        Assert.Equal(expected.Select(t => t.Id), seen);
    }

    [Fact]
    public async Task Where_the_window_answers_it_answers_as_the_chunks_do()
    {
        var snapshot = History.Snapshot(2_000);
        var data = Data(chunkItems: 150);
        var window = (await data.WriteAsync(_key, null, 1, snapshot, default)).Window.Transactions;
        var newest = History.Expected(Transactions, snapshot.Transactions);
        var answered = 0;
        foreach (var limit in new[] { 1, 10, 50, 100 })
        {
            foreach (var start in new[] { -1, 0, 20, 60, 99 })
            {
                var cursor = start < 0 ? null : ListCursor.Encode(Transactions.PositionOf(newest[start]));
                foreach (var (from, to) in new (DateTimeOffset?, DateTimeOffset?)[] { (null, null), (null, newest[30].Date), (newest[80].Date, null), (newest[90].Date, newest[10].Date) })
                {
                    var query = new ListQuery(limit, cursor, from, to);
                    var (fromChunks, chunksNext) = await data.ReadPageAsync(_key, 1, Transactions, query, default);
                    if (window.TryPage(Transactions, query, out var fromWindow, out var windowNext))
                    {
                        answered++;
                        Assert.Equal(fromChunks.Select(t => t.Id), fromWindow.Select(t => t.Id));
                        Assert.Equal(chunksNext, windowNext);
                    }

                    // And both agree with the plain answer.
                    var after = start < 0 ? newest : newest.Skip(start + 1);
                    var expected = after.Where(t => (from is null || t.Date >= from) && (to is null || t.Date <= to)).Take(limit).Select(t => t.Id);
                    Assert.Equal(expected, fromChunks.Select(t => t.Id));
                }
            }
        }

        Assert.True(answered > 30, $"the window answered only {answered} queries");
    }

    [Fact]
    public async Task A_deep_page_reads_the_index_and_only_the_parts_it_needs()
    {
        var counting = new CountingChunkStore(Store);
        var data = new ConnectionDataStore(counting, "conn_1", new ProviderDataOptions { ChunkItems = 200 });
        var snapshot = History.Snapshot(10_000);
        await data.WriteAsync(_key, null, 1, snapshot, default);
        var expected = History.Expected(Transactions, snapshot.Transactions);

        counting.Reads = 0;
        var cursor = ListCursor.Encode(Transactions.PositionOf(expected[7_000]));
        var (page, _) = await data.ReadPageAsync(_key, 1, Transactions, new ListQuery(100, cursor, null, null), default);
        Assert.Equal(expected.Skip(7_001).Take(100).Select(t => t.Id), page.Select(t => t.Id));
        Assert.InRange(counting.Reads, 2, 3); // the index, and the one or two parts around position 7,000

        counting.Reads = 0;
        var to = expected[9_500].Date;
        (page, _) = await data.ReadPageAsync(_key, 1, Transactions, new ListQuery(50, null, expected[9_900].Date, to), default);
        Assert.Equal(expected.Where(t => t.Date <= to && t.Date >= expected[9_900].Date).Take(50).Select(t => t.Id), page.Select(t => t.Id));
        Assert.InRange(counting.Reads, 2, 3);
    }

    [Fact]
    public async Task A_part_that_is_authentic_but_not_the_one_the_index_names_is_refused()
    {
        // Two writes that (against the rules) used one generation: the older part's ciphertext opens under its name,
        // but the sealed index records what it must hold.
        var data = Data(chunkItems: 100);
        var first = await data.WriteAsync(_key, null, 7, History.Snapshot(1_000), default);
        var part = first.ChunkNames.First(n => n.StartsWith("transactions.2@", StringComparison.Ordinal));
        var older = (await Store.GetAsync("conn_1", part, default))!;
        await data.WriteAsync(_key, null, 7, History.Snapshot(0) with { Transactions = History.Transactions(1_000, seed: 2) }, default);
        await Store.PutAsync("conn_1", part, older, default);

        await Assert.ThrowsAsync<CiphertextRejectedException>(() => History.ReadAllAsync(data, _key, 7));
    }

    [Fact]
    public void Generations_are_random_and_positive()
    {
        var generations = Enumerable.Range(0, 1_000).Select(_ => ConnectionDataStore.NewGeneration()).ToList();
        Assert.All(generations, g => Assert.True(g > 0));
        Assert.Equal(1_000, generations.Distinct().Count());
    }

    [Fact]
    public async Task The_window_answers_the_first_page_and_knows_when_it_cannot()
    {
        var snapshot = History.Snapshot(150);
        var written = await Data().WriteAsync(_key, null, 1, snapshot, default);
        var window = written.Window.Transactions;
        var expected = History.Expected(Transactions, snapshot.Transactions);

        Assert.True(window.TryPage(Transactions, new ListQuery(100, null, null, null), out var first, out var next));
        Assert.Equal(expected.Take(100).Select(t => t.Id), first.Select(t => t.Id));
        Assert.NotNull(next);

        // The second page reaches past the window: the chunks answer it.
        Assert.False(window.TryPage(Transactions, new ListQuery(100, next, null, null), out _, out _));
        Assert.False(window.TryPage(Transactions, new ListQuery(500, null, null, null), out _, out _));

        // A list the window holds whole answers every query.
        var small = (await Data("conn_small").WriteAsync(_key, null, 1, History.Snapshot(30), default)).Window.Transactions;
        Assert.True(small.TryPage(Transactions, new ListQuery(500, null, null, null), out var all, out var none));
        Assert.Equal(30, all.Count);
        Assert.Null(none);
    }

    [Fact]
    public async Task A_second_write_rewrites_only_the_parts_that_changed_and_old_generations_are_removed()
    {
        var data = Data(chunkItems: 200);
        var history = History.Transactions(3_000);
        var first = await data.WriteAsync(_key, null, 1, History.Snapshot(0) with { Transactions = history.Skip(10).ToList() }, default);

        var second = await data.WriteAsync(_key, 1, 2, History.Snapshot(0) with { Transactions = history }, default);
        var rewritten = second.ChunkNames.Where(n => n.EndsWith("@2", StringComparison.Ordinal) && n.StartsWith("transactions.", StringComparison.Ordinal)).ToList();
        var kept = second.ChunkNames.Where(n => n.EndsWith("@1", StringComparison.Ordinal)).ToList();
        Assert.InRange(rewritten.Count, 1, 2);
        Assert.True(kept.Count >= 10, $"{kept.Count} parts kept");

        var removed = await data.RemoveAllExceptAsync(second.ChunkNames, default);
        Assert.Equal(first.ChunkNames.Except(second.ChunkNames).Count(), removed);
        Assert.Equal(second.ChunkNames.Order(StringComparer.Ordinal), (await Store.ListAsync("conn_1", default)).Order(StringComparer.Ordinal));

        var (page, _) = await data.ReadPageAsync(_key, 2, Transactions, new ListQuery(500, null, null, null), default);
        Assert.Equal(History.Expected(Transactions, history).Take(500).Select(t => t.Id), page.Select(t => t.Id));
        await Assert.ThrowsAsync<ChunkMissingException>(() => data.ReadWindowAsync(_key, 1, default));
    }

    [Fact]
    public async Task A_tampered_chunk_is_refused()
    {
        var data = Data(chunkItems: 100);
        var written = await data.WriteAsync(_key, null, 1, History.Snapshot(1_000), default);
        var part = written.ChunkNames.First(n => n.StartsWith("transactions.3@", StringComparison.Ordinal));
        var sealedChunk = (await Store.GetAsync("conn_1", part, default))!;
        var flipped = sealedChunk[..^5] + (sealedChunk[^5] == 'A' ? 'B' : 'A') + sealedChunk[^4..];
        await Store.PutAsync("conn_1", part, flipped, default);

        await Assert.ThrowsAsync<CiphertextRejectedException>(() => History.ReadAllAsync(data, _key, 1));
    }

    [Fact]
    public async Task A_chunk_moved_to_another_name_or_connection_is_refused()
    {
        var data = Data(chunkItems: 100);
        var written = await data.WriteAsync(_key, null, 1, History.Snapshot(1_000), default);

        // Within the connection: part 3's ciphertext put where part 4 belongs.
        var part3 = written.ChunkNames.First(n => n.StartsWith("transactions.3@", StringComparison.Ordinal));
        var part4 = written.ChunkNames.First(n => n.StartsWith("transactions.4@", StringComparison.Ordinal));
        await Store.PutAsync("conn_1", part4, (await Store.GetAsync("conn_1", part3, default))!, default);
        await Assert.ThrowsAsync<CiphertextRejectedException>(() => History.ReadAllAsync(data, _key, 1));

        // To another connection (same key bytes even): the AAD names the connection.
        using var otherKey = new DataKey(new EncryptionContext("client_1", "conn_2"), (byte[])_keyBytes.Clone());
        await Store.PutAsync("conn_2", "head@1", (await Store.GetAsync("conn_1", "head@1", default))!, default);
        await Assert.ThrowsAsync<CiphertextRejectedException>(() => Data("conn_2").ReadWindowAsync(otherKey, 1, default));

        // An older generation's head put under the current name.
        await data.WriteAsync(_key, 1, 2, History.Snapshot(900), default);
        await Store.PutAsync("conn_1", "head@2", (await Store.GetAsync("conn_1", "head@1", default))!, default);
        await Assert.ThrowsAsync<CiphertextRejectedException>(() => data.ReadWindowAsync(_key, 2, default));
    }

    [Fact]
    public async Task Delete_all_leaves_no_chunk_and_no_plaintext_behind()
    {
        const string Canary = "CANARY-7f3c1e-provider-data";
        var snapshot = History.Snapshot(0) with
        {
            Transactions = History.Transactions(2_500).Select((t, i) => i % 100 == 0 ? t with { Description = Canary } : t).ToList(),
        };
        var data = Data(chunkItems: 300);
        await data.WriteAsync(_key, null, 1, snapshot, default);
        await Data("conn_other").WriteAsync(_key, null, 1, History.Snapshot(50), default);
        AssertNowhere(Canary);

        Assert.True(await data.DeleteAllAsync(default) > 5);
        Assert.Empty(await Store.ListAsync("conn_1", default));
        Assert.NotEmpty(await Store.ListAsync("conn_other", default));
        await Assert.ThrowsAsync<ChunkMissingException>(() => data.ReadWindowAsync(_key, 1, default));
    }

    private void AssertNowhere(string canary)
    {
        foreach (var folder in RawFolders().Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                var bytes = File.ReadAllBytes(file);
                Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(canary)) < 0, $"plaintext in {file}");
            }
        }
    }
}
