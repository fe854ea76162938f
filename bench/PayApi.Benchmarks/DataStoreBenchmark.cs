using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using PayApi.Testing;

namespace PayApi.Benchmarks;

/// <summary>
/// What an active connection costs in memory, and how fast its newest page is read, with short and long histories:
/// 1,000 connections of 150 items and 1,000 of 5,000 items on the embedded host in this process. Memory is the heap
/// and the process's RSS after a full compacting collection, before and after one read activates every connection
/// (the host is restarted first, so none is active). Rates are cached reads as fast as the readers go. The hosts
/// use the KMS keyring against our loopback KMS server, which counts the Decrypt calls all those reads cost.
/// </summary>
internal static class DataStoreBenchmark
{
    private const int Concurrency = 8;

    public static async Task<int> RunAsync(int connections, TimeSpan measured, CancellationToken ct)
    {
        Console.WriteLine($"Provider data: {connections} connections per history length, {Concurrency} concurrent clients, {measured.TotalSeconds:0} s per rate; {Environment.ProcessorCount} cores");
        await using var kms = await KmsServer.StartAsync();
        var shortHistory = await MeasureAsync(kms, "150 items", "rk_test_bench", connections, measured, ct);
        var longHistory = await MeasureAsync(kms, "5,000 items", "rk_test_history4980b", connections, measured, ct);

        Console.WriteLine();
        Console.WriteLine($"{"history",-12} {"heap KiB/conn",14} {"RSS KiB/conn",13} {"newest page/s",14} {"deep page/s",12} {"connection/s",13} {"reads",8} {"Decrypts",9} {"per 1000",9}");
        foreach (var run in new[] { shortHistory, longHistory })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Name,-12} {run.HeapKiBPerConnection,14:F1} {run.RssKiBPerConnection,13:F1} {run.NewestPagePerSecond,14:F0} {run.DeepPagePerSecond,12:F0} {run.ConnectionPerSecond,13:F0} {run.Reads,8} {run.Decrypts,9} {1000.0 * run.Decrypts / run.Reads,9:F2}"));
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS per active connection: {shortHistory.RssKiBPerConnection:F1} KiB at 150 items, {longHistory.RssKiBPerConnection:F1} KiB at 5,000 items " +
            $"({longHistory.RssKiBPerConnection / shortHistory.RssKiBPerConnection:F2}x; goal: at most 64 KiB and not growing with history; the whole-snapshot design measured about 360 KiB at 150 items)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"newest page (from memory): {shortHistory.NewestPagePerSecond / shortHistory.ConnectionPerSecond:F2}x the rate of GET /v1/connection at 150 items, " +
            $"{longHistory.NewestPagePerSecond / longHistory.ConnectionPerSecond:F2}x at 5,000; a page deep in the history (from chunks) runs at " +
            $"{longHistory.DeepPagePerSecond / longHistory.NewestPagePerSecond:F2}x the newest page's rate"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"KMS Decrypt calls per 1,000 reads: {1000.0 * shortHistory.Decrypts / shortHistory.Reads:F2} and {1000.0 * longHistory.Decrypts / longHistory.Reads:F2} " +
            $"({shortHistory.Decrypts} and {longHistory.Decrypts} calls for {connections} activations each, plus the token key's; goal: activations only)"));
        return 0;
    }

    private static async Task<Run> MeasureAsync(KmsServer kms, string name, string keyPrefix, int connections, TimeSpan measured, CancellationToken ct)
    {
        var dataDir = TestHost.NewDataDir();
        string[] quiet =
        [
            "--Logging:LogLevel:Default=Warning", "--PayApi:RateLimit:PermitsPerSecond=1000000", "--PayApi:RateLimit:Burst=1000000",
            "--PayApi:Keys:Provider=Kms", $"--PayApi:Kms:KeyId={KmsServer.TestAlias}", $"--PayApi:Kms:ServiceUrl={kms.ServiceUrl}",
            "--PayApi:Sync:BatchInterval=00:00:00.010",
        ];
        var tokens = new string[connections];
        await using (var host = await TestHost.StartAsync(dataDir, new CapturedLogs(), quiet))
        {
            var api = new ApiClient(host.Http);
            var client = await api.CreateClientAsync();
            var started = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, connections), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct }, async (i, _) =>
                tokens[i] = (await api.ConnectAsync(client, $"{keyPrefix}{i:D5}x{Guid.NewGuid():N}", $"bench-{i}")).AccessToken);
            // Histories past the first sync's pages are backfilled in the background: measured once whole.
            await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct }, async (token, _) =>
                await api.WaitSyncedAsync(token, TimeSpan.FromMinutes(20)));
            Console.WriteLine($"  {name}: {connections} connected and synced in {started.Elapsed.TotalSeconds:F1} s");
        }

        // A new host on the same data: no connection is active until it is read.
        await using var reader = await TestHost.StartAsync(dataDir, new CapturedLogs(), quiet);
        var readApi = new ApiClient(reader.Http);
        kms.ResetCounts();
        await ReadAsync(readApi, tokens[0], "/v1/connection"); // warm the gateway and the token key
        var (heapBefore, rssBefore) = Settle();
        await Parallel.ForEachAsync(tokens, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct }, async (token, _) =>
            await ReadAsync(readApi, token, "/v1/transactions"));
        var (heapAfter, rssAfter) = Settle();

        var (newest, newestReads) = await RateAsync(readApi, tokens, "/v1/transactions", measured, ct);
        var (deep, deepReads) = await RateAsync(readApi, tokens, "/v1/transactions?limit=100&from=2000-01-01&to=2024-12-31", measured, ct);
        var (connection, connectionReads) = await RateAsync(readApi, tokens, "/v1/connection", measured, ct);
        var reads = connections + 1 + newestReads + deepReads + connectionReads;
        return new Run(name, (heapAfter - heapBefore) / 1024.0 / connections, (rssAfter - rssBefore) / 1024.0 / connections, newest, deep, connection, reads, kms.Calls("Decrypt"));
    }

    private static (long Heap, long Rss) Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var self = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: false), self.WorkingSet64);
    }

    private static async Task<(double PerSecond, long Count)> RateAsync(ApiClient api, string[] tokens, string path, TimeSpan measured, CancellationToken ct)
    {
        long done = 0;
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async worker =>
        {
            for (var i = worker; deadline.Elapsed < measured && !ct.IsCancellationRequested; i += Concurrency)
            {
                await ReadAsync(api, tokens[i % tokens.Length], path);
                Interlocked.Increment(ref done);
            }
        }));
        return (done / deadline.Elapsed.TotalSeconds, done);
    }

    private static async Task ReadAsync(ApiClient api, string token, string path)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, ApiClient.Bearer(token));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchmarkFailedException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await response.Content.CopyToAsync(Stream.Null);
    }

    private sealed record Run(
        string Name, double HeapKiBPerConnection, double RssKiBPerConnection, double NewestPagePerSecond, double DeepPagePerSecond, double ConnectionPerSecond,
        long Reads, int Decrypts);
}
