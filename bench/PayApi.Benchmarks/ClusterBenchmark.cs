using System.Diagnostics;
using System.Globalization;
using System.Net;
using PayApi.Testing;

namespace PayApi.Benchmarks;

/// <summary>
/// One silo against a two-silo cluster (two host processes) on dynalite, under the same load of cached reads
/// (<c>GET /v1/balance</c> over many connections): requests per second, and CPU seconds per 1,000 requests summed
/// over every server process (the hosts and dynalite; the load generator is this process and is left out).
/// In the cluster about half the reads reach a grain on the other silo, so its figure includes remote grain calls.
/// </summary>
internal static class ClusterBenchmark
{
    private const int Connections = 40;
    private const int Concurrency = 16;
    private const double PacedRate = 1500;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(TimeSpan measured, CancellationToken ct)
    {
        Console.WriteLine($"Cluster: {Connections} connections, {Concurrency} concurrent readers, {WarmUp.TotalSeconds:0} s warm-up, {measured.TotalSeconds:0} s measured; {Environment.ProcessorCount} cores");
        var one = await MeasureAsync(processes: 1, gateways: 1, measured, ct);
        var two = await MeasureAsync(processes: 2, gateways: 2, measured, ct);
        var twoOneGateway = await MeasureAsync(processes: 2, gateways: 1, measured, ct);

        Console.WriteLine();
        Console.WriteLine($"{"run",-30} {"flat out",9} {"req/s",7} {"CPU s/1000",10} {"failed",7} {"paced",7} {"CPU s",7} {"CPU s/1000 req",15} {"idle CPU/s",10} {"net s/1000",10}");
        Row("one silo (1 process)", one);
        Row("two-silo cluster (2 processes)", two);
        Row("  the same, all via one gateway", twoOneGateway);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"flat out: as fast as {Concurrency} readers go; paced: {PacedRate:0} req/s; idle: the same processes with no request; net: paced minus idle. CPU: the host processes + dynalite; this load generator is not counted."));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"two silos: {two.RequestsPerSecond / one.RequestsPerSecond:F2}x the requests per second; {two.CpuPerThousand / one.CpuPerThousand:F2}x the CPU per request paced " +
            $"({two.NetCpuPerThousand / one.NetCpuPerThousand:F2}x net of idle), {two.FlatOutCpuPerThousand / one.FlatOutCpuPerThousand:F2}x flat out (goal: at most 1.25x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"two silos with every request through one gateway (half the reads still reach the other silo): {twoOneGateway.CpuPerThousand / one.CpuPerThousand:F2}x the CPU per request"));
        return one.Failed + two.Failed + twoOneGateway.Failed == 0 ? 0 : 1;
    }

    private static async Task<Run> MeasureAsync(int processes, int gateways, TimeSpan measured, CancellationToken ct)
    {
        await using var cluster = await ClusterProcesses.StartDynaliteAsync();
        var hosts = new List<HostProcess>();
        for (var i = 0; i < processes; i++)
        {
            // Production's failure detection and logging, not the tests' faster ones.
            hosts.Add(await cluster.StartAsync($"silo-{i + 1}", null,
                "--Logging:LogLevel:Default=Warning", "--PayApi:Orleans:ProbeTimeout=00:00:05", "--PayApi:Orleans:MissedProbesLimit=3"));
        }

        var apis = hosts.Select(h => new ApiClient(h.Http)).ToList();
        var loaded = hosts.Take(gateways).ToList();
        var client = await apis[0].CreateClientAsync();
        var tokens = new List<string>();
        for (var i = 0; i < Connections; i++)
        {
            tokens.Add((await apis[i % apis.Count].ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"), $"bench-{i}")).AccessToken);
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler);
        await LoadAsync(http, loaded, tokens, WarmUp, ct);

        var pids = hosts.Select(h => h.ProcessId).Append(cluster.Dynalite.ProcessId).ToList();


        // As fast as it goes: throughput.
        var flatOutBefore = CpuSeconds(pids);
        var (requests, failed, wall) = await LoadAsync(http, loaded, tokens, measured, ct);
        var flatOutCpu = CpuSeconds(pids) - flatOutBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {processes} process(es), {gateways} gateway(s), flat out: {requests} reads in {wall.TotalSeconds:F1} s"));

        // What the processes spend with no request at all (membership heartbeats, timers, the runtime's own threads),
        // measured after the flat-out run, when compilation and collection have settled.
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var idleBefore = CpuSeconds(pids);
        var idleClock = Stopwatch.StartNew();
        await Task.Delay(measured, ct);
        var idlePerSecond = (CpuSeconds(pids) - idleBefore) / idleClock.Elapsed.TotalSeconds;

        // The same fixed rate for both: CPU per request, not inflated by two cores shared at saturation.
        var cpuBefore = CpuSeconds(pids);
        var (paced, pacedFailed, pacedWall) = await LoadAsync(http, loaded, tokens, measured, ct, PacedRate);
        var cpu = CpuSeconds(pids) - cpuBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {processes} process(es), {gateways} gateway(s), {PacedRate:0} req/s: {paced} reads in {pacedWall.TotalSeconds:F1} s"));
        var netOfIdle = (cpu - idlePerSecond * pacedWall.TotalSeconds) * 1000 / Math.Max(1, paced);
        return new Run(requests, failed + pacedFailed, requests / wall.TotalSeconds, flatOutCpu * 1000 / Math.Max(1, requests), paced, cpu, cpu * 1000 / Math.Max(1, paced), idlePerSecond, netOfIdle);
    }

    // Every reader picks connections round-robin and gateways in turn, so each process takes an equal share. With a
    // rate, request i is not sent before i/rate seconds: an open-loop load, the same for both runs.
    private static async Task<(int Requests, int Failed, TimeSpan Wall)> LoadAsync(
        HttpClient http, IReadOnlyList<HostProcess> hosts, IReadOnlyList<string> tokens, TimeSpan duration, CancellationToken ct, double? rate = null)
    {
        var requests = 0;
        var failed = 0;
        var clock = Stopwatch.StartNew();
        var readers = Enumerable.Range(0, Concurrency).Select(async reader =>
        {
            for (var i = reader; clock.Elapsed < duration; i += Concurrency)
            {
                if (rate is { } perSecond && TimeSpan.FromSeconds(i / perSecond) - clock.Elapsed is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait, ct);
                }

                var host = hosts[i % hosts.Count];
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.BaseAddress, "/v1/balance"));
                request.Headers.Authorization = ApiClient.Bearer(tokens[i % tokens.Count]);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                Interlocked.Increment(ref requests);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }).ToList();
        await Task.WhenAll(readers);
        return (requests, failed, clock.Elapsed);
    }

    private static double CpuSeconds(IEnumerable<int> pids) =>
        pids.Sum(pid =>
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime.TotalSeconds;
        });

    private static void Row(string name, Run run) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-30} {run.Requests,9} {run.RequestsPerSecond,7:F0} {run.FlatOutCpuPerThousand,10:F3} {run.Failed,7} {run.PacedRequests,7} {run.Cpu,7:F2} {run.CpuPerThousand,15:F3} {run.IdleCpuPerSecond,10:F3} {run.NetCpuPerThousand,10:F3}"));

    private sealed record Run(
        int Requests, int Failed, double RequestsPerSecond, double FlatOutCpuPerThousand, int PacedRequests, double Cpu, double CpuPerThousand,
        double IdleCpuPerSecond, double NetCpuPerThousand);
}
