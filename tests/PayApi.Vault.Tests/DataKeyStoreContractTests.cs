using Xunit;

namespace PayApi.Vault.Tests;

/// <summary>
/// The <see cref="IDataKeyStore"/> contract every store must honour (SQLite here; DynamoDB in
/// PayApi.Storage.DynamoDB.Tests, which compiles this file in). Subclass per store and implement
/// <see cref="CreateStoreAsync"/>; xunit makes a new instance, and so a new empty store, for every test.
/// </summary>
public abstract class DataKeyStoreContractTests : IAsyncLifetime
{
    private IDataKeyStore? _store;

    protected IDataKeyStore Store => _store ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>A ready, empty store of its own.</summary>
    protected abstract Task<IDataKeyStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Put_get_replace_delete_and_count()
    {
        var store = Store;
        Assert.Null(await store.GetAsync("conn_a", default));
        Assert.Empty(await store.CountByKeyIdAsync(default));

        await store.PutAsync(new WrappedKeyRecord("conn_a", "client_1", "local-1", "wrapped-a"), default);
        await store.PutAsync(new WrappedKeyRecord("conn_b", "client_1", "local-1", "wrapped-b"), default);
        await store.PutAsync(new WrappedKeyRecord("conn_c", "client_2", "local-2", "wrapped-c"), default);
        Assert.Equal("wrapped-a", await store.GetAsync("conn_a", default));

        // Put replaces the connection's record.
        await store.PutAsync(new WrappedKeyRecord("conn_a", "client_1", "local-1", "wrapped-a2"), default);
        Assert.Equal("wrapped-a2", await store.GetAsync("conn_a", default));

        Assert.Equal(new Dictionary<string, long> { ["local-1"] = 2, ["local-2"] = 1 }, await store.CountByKeyIdAsync(default));

        Assert.False(await store.ReplaceAsync("conn_b", "stale", "local-2", "wrapped-b2", default));
        Assert.True(await store.ReplaceAsync("conn_b", "wrapped-b", "local-2", "wrapped-b2", default));
        Assert.False(await store.ReplaceAsync("conn_missing", "x", "local-2", "y", default));
        Assert.Equal("wrapped-b2", await store.GetAsync("conn_b", default));
        Assert.Equal(new Dictionary<string, long> { ["local-1"] = 1, ["local-2"] = 2 }, await store.CountByKeyIdAsync(default));

        Assert.True(await store.DeleteAsync("conn_a", default));
        Assert.False(await store.DeleteAsync("conn_a", default));
        Assert.Null(await store.GetAsync("conn_a", default));
        Assert.Equal(new Dictionary<string, long> { ["local-2"] = 2 }, await store.CountByKeyIdAsync(default));
    }

    [Fact]
    public async Task Replace_of_a_deleted_record_does_not_bring_it_back()
    {
        await Store.PutAsync(new WrappedKeyRecord("conn_gone", "client", "local-1", "w-old"), default);
        Assert.True(await Store.DeleteAsync("conn_gone", default));

        // A rewrap that listed the record before a disconnect shredded it must not resurrect the key.
        Assert.False(await Store.ReplaceAsync("conn_gone", "w-old", "local-2", "w-new", default));

        Assert.Null(await Store.GetAsync("conn_gone", default));
        Assert.Empty(await Store.CountByKeyIdAsync(default));
    }

    [Fact]
    public async Task Exactly_one_of_parallel_replaces_with_the_same_expected_value_wins()
    {
        await Store.PutAsync(new WrappedKeyRecord("conn_race", "client", "local-1", "w-0"), default);

        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            Task.Run(() => Store.ReplaceAsync("conn_race", "w-0", "local-2", $"w-{i}", default))));

        var winner = Assert.Single(Enumerable.Range(1, 8), i => results[i - 1]);
        Assert.Equal($"w-{winner}", await Store.GetAsync("conn_race", default));
    }

    [Fact]
    public async Task An_empty_store_lists_one_empty_last_page()
    {
        var page = await Store.ListAsync(null, 10, default);

        Assert.Empty(page.Records);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Paging_returns_every_record_exactly_once_within_the_limit()
    {
        var expected = new List<WrappedKeyRecord>();
        for (var i = 0; i < 23; i++)
        {
            var record = new WrappedKeyRecord($"conn_{i:D2}", "client_" + (i % 3), "local-1", $"w-{i}");
            expected.Add(record);
            await Store.PutAsync(record, default);
        }

        var (listed, pages) = await ListAllAsync(4);

        Assert.Equal(expected.OrderBy(r => r.ConnectionId, StringComparer.Ordinal), listed.OrderBy(r => r.ConnectionId, StringComparer.Ordinal));
        Assert.All(pages, p => Assert.InRange(p.Records.Count, 0, 4));
        // 23 records at 4 a page cannot take fewer than 6 pages; a store ignoring the limit would take 1.
        Assert.True(pages.Count >= 6, $"{pages.Count} pages");
    }

    [Fact]
    public async Task Records_replaced_while_paging_are_each_met_once()
    {
        for (var i = 0; i < 15; i++)
        {
            await Store.PutAsync(new WrappedKeyRecord($"conn_{i:D2}", "client", "local-1", $"w-{i}"), default);
        }

        // What a rewrap does: replace every record of a page before asking for the next.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Store.ListAsync(cursor, 4, default);
            foreach (var record in page.Records)
            {
                seen.Add(record.ConnectionId);
                Assert.True(await Store.ReplaceAsync(record.ConnectionId, record.Wrapped, "local-2", record.Wrapped + "-rewrapped", default));
            }

            cursor = page.NextCursor;
            Assert.True(seen.Count < 1000, "the listing does not end");
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Range(0, 15).Select(i => $"conn_{i:D2}"), seen.Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<string, long> { ["local-2"] = 15 }, await Store.CountByKeyIdAsync(default));
    }

    [Fact]
    public async Task Values_are_stored_verbatim()
    {
        const string hostile = "x'); DROP TABLE data_keys; -- #pk :v / % ✓";
        await Store.PutAsync(new WrappedKeyRecord(hostile, hostile, hostile, hostile), default);

        Assert.Equal(hostile, await Store.GetAsync(hostile, default));
        Assert.Equal(1, (await Store.CountByKeyIdAsync(default))[hostile]);
        Assert.Equal([new WrappedKeyRecord(hostile, hostile, hostile, hostile)], (await ListAllAsync(10)).Records);
    }

    protected async Task<(List<WrappedKeyRecord> Records, List<DataKeyPage> Pages)> ListAllAsync(int limit)
    {
        var records = new List<WrappedKeyRecord>();
        var pages = new List<DataKeyPage>();
        string? cursor = null;
        do
        {
            var page = await Store.ListAsync(cursor, limit, default);
            pages.Add(page);
            records.AddRange(page.Records);
            cursor = page.NextCursor;
            Assert.True(pages.Count < 1000, "the listing does not end");
        }
        while (cursor is not null);

        return (records, pages);
    }
}
