using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PayApi.Testing;

namespace PayApi.Benchmarks;

/// <summary>
/// The cached read (<c>GET /v1/balance</c>) through the whole gateway in its default configuration (request log,
/// rate limits and usage metering on) against a bare Kestrel endpoint returning the same JSON: the ceiling of any HTTP
/// read on this machine. Both are driven by wrk (1 thread, 32 connections) with the same script and headers, in turn.
/// </summary>
internal static partial class HotPathBenchmark
{
    private const int Tokens = 64;
    private const int Rounds = 3;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(TimeSpan measured, CancellationToken ct)
    {
        var wrk = FindWrk() ?? throw new BenchmarkFailedException("wrk is not installed (scripts/bench.sh installs it).");
        var root = Path.Combine(Path.GetTempPath(), "payapi-bench-hotpath-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        Console.WriteLine($"Hot path: GET /v1/balance over {Tokens} connections, wrk -t1 -c32, {WarmUp.TotalSeconds:0} s warm-up, {Rounds} x {measured.TotalSeconds:0} s measured per side; {Environment.ProcessorCount} cores");

        // The default configuration but for the per-token rate: 64 tokens cannot make 20,000 requests a second within
        // 50 each. The limiter still runs for every request (a lease from the token's bucket); only its limit is higher.
        await using var host = await HostProcess.StartAsync(Path.Combine(root, "host"),
            [$"--PayApi:AdminToken={TestHost.AdminToken}", "--PayApi:RateLimit:PermitsPerSecond=1000000", "--PayApi:RateLimit:Burst=1000000"]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync("Bench");
        var tokens = new List<string>();
        for (var i = 0; i < Tokens; i++)
        {
            tokens.Add((await api.ConnectAsync(client, "rk_test_hot" + Guid.NewGuid().ToString("N")[..16], $"bench-{i}")).AccessToken);
        }

        var body = await FirstBodyAsync(host.Http, tokens[0], ct);
        await using var bare = await BareKestrel.StartAsync(body);
        var script = Path.Combine(root, "tokens.lua");
        await File.WriteAllTextAsync(script, Script(tokens), ct);

        var gateway = new List<Run>();
        var ceiling = new List<Run>();
        await RunWrkAsync(wrk, script, host.BaseAddress, host.ProcessId, WarmUp, ct);
        await RunWrkAsync(wrk, script, bare.BaseAddress, bare.ProcessId, WarmUp, ct);
        for (var round = 0; round < Rounds; round++)
        {
            gateway.Add(await RunWrkAsync(wrk, script, host.BaseAddress, host.ProcessId, measured, ct));
            ceiling.Add(await RunWrkAsync(wrk, script, bare.BaseAddress, bare.ProcessId, measured, ct));
        }

        using var usage = await api.SendAsync(HttpMethod.Get, "/v1/usage", ApiClient.Basic(client));
        var usageJson = await usage.Content.ReadAsStringAsync(ct);
        Console.WriteLine();
        Console.WriteLine($"{"run",-44} {"req/s (each round)",24} {"mean",9} {"server CPU us/req",18}");
        Row("gateway: cached read, default configuration", gateway);
        Row("bare Kestrel: the same JSON", ceiling);
        Console.WriteLine();
        Console.WriteLine("server CPU: the serving process's own CPU time over the requests it answered (wrk's is not counted); less noisy than the rate on a busy machine.");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cached read at {Rate(gateway) / Rate(ceiling):F2} of bare Kestrel's rate (goal: at least 0.5), {CpuPerRequest(ceiling) / CpuPerRequest(gateway):F2} of its CPU efficiency; usage after the run: {(int)usage.StatusCode} {usageJson}"));
        return 0;
    }

    private static void Row(string name, List<Run> runs) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-44} {string.Join(" ", runs.Select(r => r.PerSecond.ToString("F0", CultureInfo.InvariantCulture))),24} {Rate(runs),9:F0} {CpuPerRequest(runs),18:F1}"));

    private static double Rate(List<Run> runs) => runs.Average(r => r.PerSecond);

    private static double CpuPerRequest(List<Run> runs) => runs.Sum(r => r.CpuSeconds) * 1e6 / runs.Sum(r => r.Requests);

    private sealed record Run(double PerSecond, long Requests, double CpuSeconds);

    private static double CpuSeconds(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static async Task<byte[]> FirstBodyAsync(HttpClient http, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/balance");
        request.Headers.Authorization = ApiClient.Bearer(token);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchmarkFailedException($"GET /v1/balance answered {(int)response.StatusCode}.");
        }

        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    // Each request takes the next token, the same way against both servers (the bare one ignores it).
    private static string Script(IReadOnlyList<string> tokens) =>
        "local tokens = {" + string.Join(",", tokens.Select(t => "\"" + t + "\"")) + "}\n" +
        "local i = 0\n" +
        "request = function()\n" +
        "  i = i + 1\n" +
        "  return wrk.format(\"GET\", \"/v1/balance\", { [\"Authorization\"] = \"Bearer \" .. tokens[(i % #tokens) + 1] })\n" +
        "end\n";

    private static async Task<Run> RunWrkAsync(string wrk, string script, Uri target, int serverPid, TimeSpan duration, CancellationToken ct)
    {
        var cpuBefore = CpuSeconds(serverPid);
        var info = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-t1", "-c32", $"-d{(int)duration.TotalSeconds}s", "-s", script, target.ToString().TrimEnd('/') + "/v1/balance" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new BenchmarkFailedException("wrk did not start.");
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (NonSuccess().Match(output) is { Success: true } failed)
        {
            throw new BenchmarkFailedException($"{failed.Groups[1].Value} responses were not 2xx against {target}:\n{output}");
        }

        var cpu = CpuSeconds(serverPid) - cpuBefore;
        return RequestsPerSecond().Match(output) is { Success: true } m && Requests().Match(output) is { Success: true } n
            ? new Run(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture), cpu)
            : throw new BenchmarkFailedException($"wrk printed no rate:\n{output}");
    }

    private static string? FindWrk() =>
        new[] { "/usr/bin/wrk", "/usr/local/bin/wrk" }.FirstOrDefault(File.Exists);

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();

    /// <summary>
    /// Kestrel with nothing but one endpoint writing fixed bytes: no logging, no middleware. It runs as a process of its
    /// own with the host's garbage collector (server GC, as the Web SDK gives the host), so the two differ only in
    /// what happens inside a request.
    /// </summary>
    internal sealed class BareKestrel(Process process, Uri baseAddress) : IAsyncDisposable
    {
        public const string Command = "bare-kestrel";

        public int ProcessId => process.Id;

        public Uri BaseAddress { get; } = baseAddress;

        public static async Task<BareKestrel> StartAsync(byte[] body)
        {
            var bodyFile = Path.GetTempFileName();
            await File.WriteAllBytesAsync(bodyFile, body);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
            info.ArgumentList.Add(typeof(HotPathBenchmark).Assembly.Location);
            info.ArgumentList.Add(Command);
            info.ArgumentList.Add(bodyFile);
            info.Environment["DOTNET_gcServer"] = "1";
            var process = Process.Start(info) ?? throw new BenchmarkFailedException("the bare Kestrel did not start.");
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return line is not null && line.StartsWith("listening ", StringComparison.Ordinal)
                ? new BareKestrel(process, new Uri(line["listening ".Length..]))
                : throw new BenchmarkFailedException($"the bare Kestrel printed {line}.");
        }

        /// <summary>The child process: serves the body until its standard input closes.</summary>
        public static async Task<int> ServeAsync(string bodyFile)
        {
            var body = await File.ReadAllBytesAsync(bodyFile);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
            var app = builder.Build();
            app.MapGet("/v1/balance", (HttpContext context) =>
            {
                context.Response.ContentType = "application/json; charset=utf-8";
                return context.Response.Body.WriteAsync(body).AsTask();
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Console.WriteLine("listening " + address);
            await Console.In.ReadToEndAsync();
            await app.StopAsync();
            return 0;
        }

        public async ValueTask DisposeAsync()
        {
            process.StandardInput.Close();
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
            await Task.CompletedTask;
        }
    }
}
