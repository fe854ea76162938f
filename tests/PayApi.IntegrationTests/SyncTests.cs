using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PayApi.Sandbox;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// Incremental sync over HTTP on the embedded default, against the sandbox Stripe API: a long history backfilled in
/// the background while reads answer from what is synced, refreshes that cost what changed, and keys that may read
/// only some of the account.
/// </summary>
public sealed class SyncTests
{
    // Fast batches: the pacing is the same mechanism, only the pause between batches is shorter.
    private static readonly string[] FastBatches =
        ["--PayApi:Sync:BatchInterval=00:00:00.020", "--PayApi:RateLimit:PermitsPerSecond=100000", "--PayApi:RateLimit:Burst=100000"];

    [Fact]
    public async Task Fifty_thousand_charges_backfill_in_the_background_while_reads_answer_and_a_refresh_then_costs_what_changed()
    {
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), FastBatches);
        var sandbox = host.Service<SandboxServer>();
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var key = "rk_test_history50000x" + Guid.NewGuid().ToString("N")[..12];
        var (_, token) = await api.ConnectAsync(client, key);

        // While the history is read in the background every call answers, quickly, from what is synced so far.
        var slowest = TimeSpan.Zero;
        var seenBackfilling = false;
        var partialCounts = new List<int>();
        var clock = Stopwatch.StartNew();
        JsonElement connection;
        while (true)
        {
            var call = Stopwatch.StartNew();
            connection = await GetAsync(api, token, "/v1/connection");
            var page = await GetAsync(api, token, "/v1/transactions?limit=500&from=2000-01-01");
            slowest = call.Elapsed > slowest ? call.Elapsed : slowest;
            Assert.Equal(500, page.GetProperty("data").GetArrayLength());

            var sync = connection.GetProperty("sync");
            if (sync.GetProperty("state").GetString() == "synced")
            {
                break;
            }

            Assert.Equal("backfilling", sync.GetProperty("state").GetString());
            seenBackfilling = true;
            if (partialCounts.Count < 3 && sync.GetProperty("oldest_at").ValueKind == JsonValueKind.String)
            {
                partialCounts.Add((await api.ReadAllTransactionIdsAsync(token, pageSize: 500)).Count);
            }

            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(5), "the backfill did not finish in 5 minutes");
            await Task.Delay(20);
        }

        Assert.True(seenBackfilling, "the first sync answered before it had read the whole history: it was not in the background");
        Assert.True(slowest < TimeSpan.FromSeconds(10), $"a call took {slowest.TotalSeconds:F1} s during the backfill");
        Assert.NotEmpty(partialCounts);
        Assert.All(partialCounts, count => Assert.InRange(count, 500, 49_999));

        // Synced: the whole history, once each, newest first; oldest_at is the oldest charge.
        var ids = await api.ReadAllTransactionIdsAsync(token, pageSize: 500);
        Assert.Equal(50_000, ids.Count);
        Assert.Equal(50_000, ids.Distinct().Count());
        Assert.Contains(ids, id => id.StartsWith("py_", StringComparison.Ordinal));
        var oldest = connection.GetProperty("sync").GetProperty("oldest_at").GetDateTimeOffset();
        var last = await GetAsync(api, token, "/v1/transactions?limit=1&to=" + Uri.EscapeDataString(oldest.ToString("O")));
        Assert.Equal(ids[^1], last.GetProperty("data")[0].GetProperty("id").GetString());

        // Three new charges: a refresh reads the balance and what was created since the mark, not 500 pages.
        sandbox.AddStripeCharges(key, 3);
        var before = sandbox.StripeRequestCount;
        await api.RefreshAndWaitAsync(token);

        var requests = sandbox.StripeRequestCount - before;
        Assert.InRange(requests, 3, 6); // balance, charges since, payouts since (and a page more at most)
        var newest = await GetAsync(api, token, "/v1/transactions?limit=5");
        var after = await api.ReadAllTransactionIdsAsync(token, pageSize: 500);
        Assert.Equal(50_003, after.Count);
        Assert.Equal(ids, after.Skip(3));
        Assert.Equal(after.Take(5), newest.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal("synced", (await GetAsync(api, token, "/v1/connection")).GetProperty("sync").GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_host_stopped_mid_backfill_goes_on_where_it_stopped_when_the_connection_wakes()
    {
        var dataDir = TestHost.NewDataDir();
        var key = "rk_test_history6000x" + Guid.NewGuid().ToString("N")[..12];
        (string Id, string Secret) client;
        string token;
        long firstHostRequests;
        await using (var host = await TestHost.StartAsync(dataDir, new CapturedLogs(), "--PayApi:Sync:BatchInterval=00:00:00.500", "--PayApi:Sync:BatchPages=2", "--PayApi:RateLimit:PermitsPerSecond=100000"))
        {
            var api = new ApiClient(host.Http);
            client = await api.CreateClientAsync();
            (_, token) = await api.ConnectAsync(client, key);
            await WaitForAsync(api, token, c => c.GetProperty("sync").GetProperty("oldest_at").ValueKind == JsonValueKind.String);
            Assert.Equal("backfilling", (await GetAsync(api, token, "/v1/connection")).GetProperty("sync").GetProperty("state").GetString());
            firstHostRequests = host.Service<SandboxServer>().StripeRequestCount;
        }

        await using (var host = await TestHost.StartAsync(dataDir, new CapturedLogs(), FastBatches))
        {
            var api = new ApiClient(host.Http);
            var synced = await api.WaitSyncedAsync(token);
            var ids = await api.ReadAllTransactionIdsAsync(token, pageSize: 500);
            Assert.Equal(6_000, ids.Count);
            Assert.Equal(6_000, ids.Distinct().Count());

            // The second host went on from the marks: it did not read from the newest page again.
            Assert.InRange(host.Service<SandboxServer>().StripeRequestsTo("/v1/charges"), 1, 60 - 1);
            Assert.True(firstHostRequests > 0);
            Assert.Equal(JsonValueKind.String, synced.GetProperty("sync").GetProperty("oldest_at").ValueKind);
        }
    }

    [Fact]
    public async Task A_key_that_cannot_read_payouts_connects_with_what_it_can_read_and_payouts_say_why()
    {
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs());
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (_, token) = await api.ConnectAsync(client, "rk_test_nopayouts" + Guid.NewGuid().ToString("N")[..12]);

        var connection = await GetAsync(api, token, "/v1/connection");
        Assert.Equal(["balance", "transactions"], connection.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(130, (await api.ReadAllTransactionIdsAsync(token, pageSize: 100)).Count);
        Assert.NotEmpty((await GetAsync(api, token, "/v1/balance")).GetProperty("data").EnumerateArray());

        using var payouts = await api.SendAsync(HttpMethod.Get, "/v1/payouts", ApiClient.Bearer(token));
        var problem = await ApiClient.ExpectProblemAsync(payouts, HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("payouts", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("synced", (await GetAsync(api, token, "/v1/connection")).GetProperty("sync").GetProperty("state").GetString());
    }

    private static async Task<JsonElement> WaitForAsync(ApiClient api, string token, Func<JsonElement, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var connection = await GetAsync(api, token, "/v1/connection");
            if (condition(connection))
            {
                return connection;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "the connection's sync did not get there in 3 minutes: " + connection);
            await Task.Delay(50);
        }
    }

    private static async Task<JsonElement> GetAsync(ApiClient api, string token, string path)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, ApiClient.Bearer(token));
        return await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }
}
