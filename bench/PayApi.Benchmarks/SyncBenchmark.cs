using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using PayApi.ProviderData;
using PayApi.Providers;
using PayApi.Sandbox;
using PayApi.Storage.Sqlite;
using PayApi.Testing;
using PayApi.Vault;

namespace PayApi.Benchmarks;

/// <summary>
/// Incremental sync of an account of 50,000 charges on the embedded host, against the sandbox Stripe API in this
/// process: provider requests, CPU seconds and wall time of the first sync (the newest pages, then the background
/// backfill), and of a refresh after 3 new charges, against the baseline of what a refresh cost before incremental
/// sync: the whole history read again through the same adapter and written as a whole generation.
/// </summary>
internal static class SyncBenchmark
{
    private const int Charges = 50_000;
    private const int Refreshes = 10;

    public static async Task<int> RunAsync(CancellationToken ct)
    {
        Console.WriteLine($"Incremental sync: an account of {Charges:N0} charges; {Refreshes} refreshes of 3 new charges each; {Environment.ProcessorCount} cores");

        // The batches' pause is the only thing shortened: the work per batch is the default's.
        string[] args = ["--Logging:LogLevel:Default=Warning", "--PayApi:Sync:BatchInterval=00:00:00.001"];
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), args);
        var sandbox = host.Service<SandboxServer>();
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var key = $"rk_test_history{Charges}x{Guid.NewGuid():N}";

        // Warm the account's generation in the sandbox and the JIT, outside every measurement.
        await api.ConnectAsync(client, $"rk_test_warmup{Guid.NewGuid():N}");
        await WarmAccountAsync(sandbox, key, ct);

        var requestsBefore = sandbox.StripeRequestCount;
        var cpuBefore = ProcessTreeCpu.Seconds();
        var clock = Stopwatch.StartNew();
        var writeProbesBefore = sandbox.StripeWriteRequestCount;
        var (_, token) = await api.ConnectAsync(client, key);
        await api.WaitSyncedAsync(token, TimeSpan.FromMinutes(20));
        var first = new Measured(sandbox.StripeRequestCount - requestsBefore, ProcessTreeCpu.Seconds() - cpuBefore, clock.Elapsed);
        var writeProbes = sandbox.StripeWriteRequestCount - writeProbesBefore;

        long refreshRequests = 0;
        double refreshCpu = 0;
        var refreshClock = new Stopwatch();
        for (var i = 0; i < Refreshes; i++)
        {
            sandbox.AddStripeCharges(key, 3);
            var requests = sandbox.StripeRequestCount;
            var cpu = ProcessTreeCpu.Seconds();
            refreshClock.Start();
            using (var response = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new BenchmarkFailedException($"refresh answered {(int)response.StatusCode}");
                }
            }

            refreshClock.Stop();
            refreshRequests += sandbox.StripeRequestCount - requests;
            refreshCpu += ProcessTreeCpu.Seconds() - cpu;
        }

        var refresh = new Measured(refreshRequests / (double)Refreshes, refreshCpu / Refreshes, refreshClock.Elapsed / Refreshes);
        var total = (await api.ReadAllTransactionIdsAsync(token, pageSize: 500)).Count;
        if (total != Charges + 3 * Refreshes)
        {
            throw new BenchmarkFailedException($"the connection holds {total} charges, not {Charges + 3 * Refreshes}");
        }

        var reread = await FullRereadAsync(sandbox, key, ct);

        Console.WriteLine();
        Console.WriteLine($"{"step",-44} {"requests",9} {"CPU s",9} {"wall s",8}");
        Row("connect and first sync, to synced", first);
        Row("refresh after 3 new charges (incremental)", refresh);
        Row("refresh after 3 new charges (full re-read)", reread);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"refresh with 3 new charges: {refresh.Requests:F1} requests vs {reread.Requests:F0} for a full re-read ({reread.Requests / refresh.Requests:F0}x fewer; goal: at least 100x), " +
            $"{refresh.CpuSeconds:F3} vs {reread.CpuSeconds:F2} CPU s ({reread.CpuSeconds / Math.Max(refresh.CpuSeconds, 0.001):F0}x less); " +
            $"connect and first sync {first.Requests:F0} requests (of which the key's access check: 3 reads and {writeProbes} write probes), {first.CpuSeconds:F1} CPU s, " +
            $"{first.Wall.TotalSeconds:F1} s wall with 1 ms between batches (default 1 s: about {first.Requests / 10:F0} s); CPU counts this process, sandbox included"));
        return 0;
    }

    /// <summary>The baseline: every page of both lists and the balance read again, and written whole as the next generation.</summary>
    private static async Task<Measured> FullRereadAsync(SandboxServer sandbox, string key, CancellationToken ct)
    {
        var folder = TestHost.NewDataDir();
        using var http = new HttpClient();
        IProviderAdapter stripe = new StripeAdapter(http, new StripeAdapterOptions { ProviderId = "sandbox-stripe", BaseUrl = sandbox.StripeBaseAddress });
        var context = new ProviderContext("con_bench", new ProviderCredentials(new Dictionary<string, string> { [StripeAdapter.ApiKeyField] = key }));
        using var store = new SqliteChunkStore(Path.Combine(folder, SqliteChunkStore.FileName));
        using var dataKey = new DataKey(new EncryptionContext("cli_bench", "con_bench"), RandomNumberGenerator.GetBytes(32));
        var data = new ConnectionDataStore(store, "con_bench", new ProviderDataOptions());
        var warm = await stripe.FetchAllAsync(context, ct);
        await data.WriteAsync(dataKey, null, 1, new ProviderSnapshot(DateTimeOffset.UtcNow, warm.Balances, warm.Transactions, warm.Payouts), ct);

        var requests = sandbox.StripeRequestCount;
        var cpu = ProcessTreeCpu.Seconds();
        var clock = Stopwatch.StartNew();
        var all = await stripe.FetchAllAsync(context, ct);
        await data.WriteAsync(dataKey, 1, 2, new ProviderSnapshot(DateTimeOffset.UtcNow, all.Balances, all.Transactions, all.Payouts), ct);
        return new Measured(sandbox.StripeRequestCount - requests, ProcessTreeCpu.Seconds() - cpu, clock.Elapsed);
    }

    /// <summary>The sandbox builds an account on its first request; that is the sandbox's cost, not the sync's.</summary>
    private static async Task WarmAccountAsync(SandboxServer sandbox, string key, CancellationToken ct)
    {
        using var http = new HttpClient();
        var stripe = new StripeAdapter(http, new StripeAdapterOptions { ProviderId = "sandbox-stripe", BaseUrl = sandbox.StripeBaseAddress });
        var context = new ProviderContext("con_warm", new ProviderCredentials(new Dictionary<string, string> { [StripeAdapter.ApiKeyField] = key }));
        await stripe.GetBalanceAsync(context, ct);
    }

    private static void Row(string name, Measured m) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-44} {m.Requests,9:F1} {m.CpuSeconds,9:F3} {m.Wall.TotalSeconds,8:F2}"));

    private sealed record Measured(double Requests, double CpuSeconds, TimeSpan Wall);
}
