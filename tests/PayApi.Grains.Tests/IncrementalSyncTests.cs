using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using PayApi.Contracts;
using PayApi.Grains.Sync;
using PayApi.ProviderData;
using PayApi.Providers;
using PayApi.Sandbox;
using PayApi.Storage.Sqlite;
using PayApi.Vault;
using Xunit;

namespace PayApi.Grains.Tests;

/// <summary>
/// <see cref="IncrementalSync"/> driven without a silo: the real Stripe adapter against the sandbox Stripe API, and a
/// real SQLite chunk store. Each step's provider requests are counted at the sandbox.
/// </summary>
public sealed class IncrementalSyncTests : IAsyncLifetime
{
    private static readonly string[] All = [Capabilities.Balance, Capabilities.Transactions, Capabilities.Payouts];
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "payapi-sync-tests", Guid.NewGuid().ToString("N"));
    private readonly DataKey _key = new(new EncryptionContext("cli_1", "con_1"), RandomNumberGenerator.GetBytes(32));
    private SandboxServer _sandbox = null!;
    private HttpClient _http = null!;
    private StripeAdapter _stripe = null!;
    private SqliteChunkStore _store = null!;
    private long? _generation;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);
        _http = new HttpClient();
        _stripe = new StripeAdapter(_http, new StripeAdapterOptions
        {
            ProviderId = "sandbox-stripe",
            BaseUrl = _sandbox.StripeBaseAddress,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        });
        _store = new SqliteChunkStore(Path.Combine(_folder, SqliteChunkStore.FileName));
    }

    public async Task DisposeAsync()
    {
        _key.Dispose();
        _store.Dispose();
        _http.Dispose();
        await _sandbox.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_first_sync_reads_the_newest_pages_and_batches_walk_the_rest_without_gaps_or_repeats()
    {
        var key = Key("history2500");
        var sync = Sync(new SyncOptions { FirstSyncPages = 5, BatchPages = 4 });

        var first = await RefreshAsync(sync, key, All);
        Assert.Equal(1 + 5 + 1, first.Requests); // balance, five pages of charges, the one page of payouts
        Assert.True(first.Marks.IsBackfilling);
        Assert.Equal(500, first.Written.Window.Transactions.Total);

        var batches = 0;
        while (await ContinueAsync(sync, key, All) is { } batch)
        {
            batches++;
            Assert.InRange(batch.Requests, 1, 4);
            Assert.Equal(first.Written.Window.FetchedAt, batch.Written.Window.FetchedAt); // history, not a refresh
            if (!batch.Marks.IsBackfilling)
            {
                break;
            }
        }

        Assert.Equal(5, batches); // 20 pages left, 4 a batch
        var stored = await ReadAllAsync(ListKind<TransactionItem>.Transactions);
        Assert.Equal(await SandboxOrderAsync(key), stored.Select(t => t.Id));
        Assert.Null(await ContinueAsync(sync, key, All));
    }

    [Fact]
    public async Task A_refresh_reads_what_was_created_since_the_mark_and_a_long_run_of_changes_is_finished_in_the_background()
    {
        var key = Key("history300");
        var sync = Sync(new SyncOptions { RefreshPages = 3 });
        await RefreshAsync(sync, key, All);
        var before = await ReadAllAsync(ListKind<TransactionItem>.Transactions);
        Assert.Equal(300, before.Count);

        // Three new charges: the balance, one page of each list.
        _sandbox.AddStripeCharges(key, 3);
        var small = await RefreshAsync(sync, key, All);
        Assert.Equal(3, small.Requests);
        Assert.False(small.Marks.IsBackfilling);
        var after = await ReadAllAsync(ListKind<TransactionItem>.Transactions);
        Assert.Equal(303, after.Count);
        Assert.Equal(before.Select(t => t.Id), after.Skip(3).Select(t => t.Id));

        // An account idle while a thousand charges came: three pages now, the rest by batches, nothing lost or doubled.
        _sandbox.AddStripeCharges(key, 1_000);
        var large = await RefreshAsync(sync, key, All);
        Assert.Equal(1 + 3 + 1, large.Requests);
        Assert.True(large.Marks.IsBackfilling);
        Assert.Single(large.Marks.Transactions.Walks, w => w.CreatedSince is not null);
        while (await ContinueAsync(sync, key, All) is { Marks.IsBackfilling: true })
        {
        }

        var all = await ReadAllAsync(ListKind<TransactionItem>.Transactions);
        Assert.Equal(await SandboxOrderAsync(key), all.Select(t => t.Id));
        Assert.Equal(1_303, all.Count);
    }

    [Fact]
    public async Task A_capability_the_provider_refuses_is_reported_and_the_others_still_sync()
    {
        // Verified with payouts, say, and the key's payout permission removed since.
        var key = Key("nopayouts");
        var outcome = await RefreshAsync(Sync(new SyncOptions()), key, All);
        Assert.Equal([Capabilities.Payouts], outcome.Refused);
        Assert.Equal(130, outcome.Written.Window.Transactions.Total);
        Assert.NotEmpty(outcome.Written.Window.Balances);
        Assert.Equal(0, outcome.Written.Window.Payouts.Total);
        Assert.False(outcome.Marks.IsBackfilling);

        // Not granted: not asked for at all.
        var requests = _sandbox.StripeRequestsTo("/v1/payouts");
        await RefreshAsync(Sync(new SyncOptions()), key, [Capabilities.Balance, Capabilities.Transactions]);
        Assert.Equal(requests, _sandbox.StripeRequestsTo("/v1/payouts"));
    }

    [Fact]
    public async Task A_rate_limited_page_is_retried_and_the_batch_still_completes()
    {
        var key = Key("history1200");
        var sync = Sync(new SyncOptions { FirstSyncPages = 1, BatchPages = 20 });
        await RefreshAsync(sync, key, All);
        _sandbox.StripeRateLimitNext(2);
        var batch = await ContinueAsync(sync, key, All);
        Assert.NotNull(batch);
        Assert.False(batch.Marks.IsBackfilling);
        Assert.Equal(await SandboxOrderAsync(key), (await ReadAllAsync(ListKind<TransactionItem>.Transactions)).Select(t => t.Id));
    }

    private static string Key(string shape) => $"rk_test_{shape}x{Guid.NewGuid():N}";

    private IncrementalSync Sync(SyncOptions options) =>
        new(_stripe, _stripe, new ConnectionDataStore(_store, "con_1", new ProviderDataOptions()), options);

    private static ProviderContext Context(string key) =>
        new("con_1", new ProviderCredentials(new Dictionary<string, string> { [StripeAdapter.ApiKeyField] = key }));

    private async Task<IncrementalSync.Outcome> RefreshAsync(IncrementalSync sync, string key, IReadOnlyCollection<string> capabilities)
    {
        var before = _sandbox.StripeRequestCount;
        var generation = ConnectionDataStore.NewGeneration();
        var outcome = await sync.RefreshAsync(_key, _generation, generation, Context(key), capabilities, Now, default);
        Assert.Equal(_sandbox.StripeRequestCount - before, outcome.Requests); // the count the outcome reports is what the provider saw
        _generation = generation;
        return outcome;
    }

    private async Task<IncrementalSync.Outcome?> ContinueAsync(IncrementalSync sync, string key, IReadOnlyCollection<string> capabilities)
    {
        var generation = ConnectionDataStore.NewGeneration();
        var outcome = await sync.ContinueAsync(_key, _generation!.Value, generation, Context(key), capabilities, Now, default);
        if (outcome is not null)
        {
            _generation = generation;
        }

        return outcome;
    }

    private async Task<List<T>> ReadAllAsync<T>(ListKind<T> kind)
        where T : class
    {
        var data = new ConnectionDataStore(_store, "con_1", new ProviderDataOptions());
        var all = new List<T>();
        string? cursor = null;
        do
        {
            var (page, next) = await data.ReadPageAsync(_key, _generation!.Value, kind, new ListQuery(500, cursor, null, null), default);
            all.AddRange(page);
            cursor = next;
        }
        while (cursor is not null);

        return all;
    }

    /// <summary>The account's charges in the provider's own order, read page by page the plain way.</summary>
    private async Task<List<string>> SandboxOrderAsync(string key) =>
        (await PagedFetch.AllPagesAsync((c, ct) => _stripe.GetTransactionsAsync(Context(key), c, ct), default)).Select(t => t.Id).ToList();
}
