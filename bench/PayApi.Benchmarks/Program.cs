using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using PayApi.Contracts;
using PayApi.Providers;
using PayApi.Providers.Web;
using PayApi.Sandbox;
using PayApi.Scraping;

namespace PayApi.Benchmarks;

/// <summary>
/// Sandbox-bank logins through the BrowserPool against a browser-per-login baseline, and the CPU of a
/// plain-HTTP keep-alive against a browser re-login, all measured in one run (README, "Benchmark").
/// </summary>
internal static class Program
{
    private const int Concurrency = 2;
    private const string Usage =
        "usage: bench.sh [browser|cluster|data|sync|hotpath|webhooks] [--logins N] [--keepalives M] [--seconds S] [--connections C]   (defaults: all; --logins 20 --keepalives 20 --seconds 20 --connections 1000)";

    private static async Task<int> Main(string[] args)
    {
        if (args is [HotPathBenchmark.BareKestrel.Command, var bodyFile])
        {
            return await HotPathBenchmark.BareKestrel.ServeAsync(bodyFile);
        }

        var only = args.Length > 0 && args[0] is "browser" or "cluster" or "data" or "sync" or "hotpath" or "webhooks" ? args[0] : null;
        if (only is not null)
        {
            args = args[1..];
        }

        if (!TryParse(args, out var logins, out var keepAlives, out var seconds, out var connections))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        ProcessTreeCpu.AdoptOrphans();
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            overall.Cancel();
        };

        try
        {
            var status = only is null or "browser" ? await RunAsync(logins, keepAlives, overall.Token) : 0;
            if (only is null)
            {
                Console.WriteLine();
            }

            if (only is null or "cluster")
            {
                status = Math.Max(status, await ClusterBenchmark.RunAsync(TimeSpan.FromSeconds(seconds), overall.Token));
                if (only is null)
                {
                    Console.WriteLine();
                }
            }

            if (only is null or "data")
            {
                status = Math.Max(status, await DataStoreBenchmark.RunAsync(connections, TimeSpan.FromSeconds(Math.Min(seconds, 10)), overall.Token));
                if (only is null)
                {
                    Console.WriteLine();
                }
            }

            if (only is null or "hotpath")
            {
                status = Math.Max(status, await HotPathBenchmark.RunAsync(TimeSpan.FromSeconds(Math.Min(seconds, 10)), overall.Token));
                if (only is null)
                {
                    Console.WriteLine();
                }
            }

            if (only is null or "sync")
            {
                status = Math.Max(status, await SyncBenchmark.RunAsync(overall.Token));
                if (only is null)
                {
                    Console.WriteLine();
                }
            }

            return only is null or "webhooks" ? Math.Max(status, await WebhookBenchmark.RunAsync(overall.Token)) : status;
        }
        catch (BenchmarkFailedException e)
        {
            await Console.Error.WriteLineAsync($"FAILED: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> RunAsync(int logins, int keepAlives, CancellationToken ct)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { BankLoginLimit = 100_000 }, ct);
        var recipe = new SandboxBankRecipe(sandbox.BankBaseAddress);
        var credentials = new ProviderCredentials(new Dictionary<string, string>
        {
            ["username"] = "user_good",
            ["password"] = "pass_good",
        });

        var scraper = new ScraperOptions
        {
            ChromiumPath = Environment.GetEnvironmentVariable("PayApi__Scraper__ChromiumPath") is { Length: > 0 } configured ? configured : null,
            MaxConcurrentJobs = Concurrency,
        };
        var chromium = ChromiumLocator.Locate(scraper.ChromiumPath);
        Console.WriteLine($"Chromium: {chromium}");
        Console.WriteLine($"Sandbox bank: {sandbox.BankBaseAddress}");
        Console.WriteLine($"Logins: {logins} per side, {Concurrency} at a time; keep-alives and re-logins: {keepAlives} each; {Environment.ProcessorCount} cores");
        Console.WriteLine();

        await using var pool = new BrowserPool(Options.Create(scraper), NullLogger<BrowserPool>.Instance);
        using var playwright = await Playwright.CreateAsync();
        var baseline = new BrowserPerLogin(playwright, chromium, scraper.JobTimeout);

        Task<IReadOnlyList<StoredCookie>> PoolLogin(CancellationToken token) =>
            pool.RunAsync(new BrowserJob(null, []), async (context, jobToken) =>
            {
                var page = await context.NewPageAsync();
                await recipe.LoginAsync(page, credentials, jobToken);
                return await BrowserPool.ExportCookiesAsync(context);
            }, token);

        Task<IReadOnlyList<StoredCookie>> BaselineLogin(CancellationToken token) =>
            baseline.LoginAsync(async (page, jobToken) => await recipe.LoginAsync(page, credentials, jobToken), token);

        // Warm-up: the pool's one Chromium is launched here, and both paths are JIT-compiled.
        Console.WriteLine("Warming up...");
        await RunLoginsAsync("pool warm-up", Concurrency, PoolLogin, ct);
        await RunLoginsAsync("baseline warm-up", Concurrency, BaselineLogin, ct);

        var poolRun = await RunLoginsAsync("pool", logins, PoolLogin, ct);
        var baselineRun = await RunLoginsAsync("baseline", logins, BaselineLogin, ct);

        // Keep-alive: what WebLoginAdapter does, with the jar a pool login exported.
        var jar = CookieJarSerializer.Serialize(poolRun.LastCookies);
        for (var i = 0; i < 2; i++)
        {
            jar = await KeepAliveAsync(recipe, jar, ct);
        }

        var keepAliveCpuBefore = ProcessTreeCpu.Seconds();
        var keepAliveClock = Stopwatch.StartNew();
        for (var i = 0; i < keepAlives; i++)
        {
            jar = await KeepAliveAsync(recipe, jar, ct);
        }

        keepAliveClock.Stop();
        var keepAliveCpu = ProcessTreeCpu.Seconds() - keepAliveCpuBefore;

        // Re-login: the same work in the warm pool, when the session is gone and the browser must sign in again.
        var reLoginRun = await RunLoginsAsync("re-login", keepAlives, PoolLogin, ct);

        var poolRate = logins / poolRun.Wall.TotalMinutes;
        var baselineRate = logins / baselineRun.Wall.TotalMinutes;
        var keepAlivePerOp = keepAliveCpu / keepAlives;
        var reLoginPerOp = reLoginRun.Cpu / keepAlives;

        Console.WriteLine();
        Console.WriteLine($"{"run",-34} {"ops",5} {"wall s",9} {"ops/min",9} {"CPU s",9} {"CPU s/op",10}");
        Row("pool login (1 browser, ctx/login)", logins, poolRun.Wall, poolRun.Cpu);
        Row("baseline login (browser/login)", logins, baselineRun.Wall, baselineRun.Cpu);
        Row("keep-alive (plain HTTP)", keepAlives, keepAliveClock.Elapsed, keepAliveCpu);
        Row("re-login (pool browser)", keepAlives, reLoginRun.Wall, reLoginRun.Cpu);
        Console.WriteLine();
        Console.WriteLine($"Chromium launches: pool {pool.BrowserLaunches} (jobs {pool.JobsRun}), baseline {baseline.Launches}; bank login POSTs {sandbox.BankLoginAttempts}");
        Console.WriteLine("CPU = this process (incl. the in-process sandbox) + Playwright driver + Chromium processes.");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pool {poolRate:F1} logins/min, baseline {baselineRate:F1} logins/min, ratio {poolRate / baselineRate:F2}x; " +
            $"keep-alive {keepAlivePerOp:F4} CPU s vs re-login {reLoginPerOp:F2} CPU s ({Ratio(reLoginPerOp, keepAlivePerOp)})"));
        return 0;
    }

    private static string Ratio(double big, double small) =>
        small > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{big / small:F0}x")
            : "keep-alive below the clock's resolution";

    private static void Row(string name, int ops, TimeSpan wall, double cpu) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-34} {ops,5} {wall.TotalSeconds,9:F2} {ops / wall.TotalMinutes,9:F1} {cpu,9:F3} {cpu / ops,10:F4}"));

    private static async Task<LoginRun> RunLoginsAsync(
        string name, int count, Func<CancellationToken, Task<IReadOnlyList<StoredCookie>>> login, CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(Concurrency, Concurrency);
        var failures = new List<string>();
        IReadOnlyList<StoredCookie> last = [];
        var cpuBefore = ProcessTreeCpu.Seconds();
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await slots.WaitAsync(ct);
            try
            {
                var cookies = await login(ct);
                if (cookies.Count == 0)
                {
                    throw new InvalidOperationException("the login left no cookies");
                }

                lock (failures)
                {
                    last = cookies;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lock (failures)
                {
                    failures.Add($"{name} login {i + 1}: {(e is PayApiException p ? p.Code : e.GetType().Name)}: {e.Message}");
                }
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks);
        clock.Stop();
        var cpu = ProcessTreeCpu.Seconds() - cpuBefore;
        if (failures.Count > 0)
        {
            foreach (var failure in failures)
            {
                await Console.Error.WriteLineAsync(failure);
            }

            throw new BenchmarkFailedException($"{failures.Count} of {count} {name} logins failed.");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {count} logins in {clock.Elapsed.TotalSeconds:F2} s"));
        return new LoginRun(clock.Elapsed, cpu, last);
    }

    private static async Task<byte[]> KeepAliveAsync(SandboxBankRecipe recipe, byte[] jar, CancellationToken ct)
    {
        var previous = CookieJarSerializer.Deserialize(jar);
        var container = CookieContainerBridge.ToContainer(previous);
        using var http = KeepAliveClientFactory.Create(null, container);
        var result = await recipe.KeepAliveAsync(http, ct);
        if (result != KeepAliveResult.Alive)
        {
            throw new BenchmarkFailedException($"the keep-alive found the session {result}.");
        }

        return CookieJarSerializer.Serialize(CookieContainerBridge.FromContainer(container, previous));
    }

    private static bool TryParse(string[] args, out int logins, out int keepAlives, out int seconds, out int connections)
    {
        connections = 1000;
        logins = 20;
        keepAlives = 20;
        seconds = 20;
        for (var i = 0; i < args.Length; i++)
        {
            var target = args[i] switch
            {
                "--logins" => 1,
                "--keepalives" or "--keep-alives" => 2,
                "--seconds" => 3,
                "--connections" => 4,
                _ => 0,
            };
            if (target == 0 || i + 1 >= args.Length
                || !int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                return false;
            }

            switch (target)
            {
                case 1:
                    logins = value;
                    break;
                case 2:
                    keepAlives = value;
                    break;
                case 3:
                    seconds = value;
                    break;
                default:
                    connections = value;
                    break;
            }
        }

        return true;
    }

    private sealed record LoginRun(TimeSpan Wall, double Cpu, IReadOnlyList<StoredCookie> LastCookies);
}

/// <summary>The baseline: every login launches its own Chromium, exactly as the pool launches its one, and closes it after.</summary>
internal sealed class BrowserPerLogin(IPlaywright playwright, string executablePath, TimeSpan jobTimeout)
{
    // The pool's own launch arguments, read rather than copied so the two can never drift apart.
    private static readonly IReadOnlyList<string> LaunchArgs = BrowserPool.LaunchArgs;

    private long _launches;

    public long Launches => Interlocked.Read(ref _launches);

    public async Task<IReadOnlyList<StoredCookie>> LoginAsync(Func<IPage, CancellationToken, Task> login, CancellationToken ct)
    {
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executablePath,
            Headless = true,
            Args = LaunchArgs,
            Timeout = 60_000,
        });
        Interlocked.Increment(ref _launches);
        try
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions());
            context.SetDefaultTimeout((float)jobTimeout.TotalMilliseconds);
            context.SetDefaultNavigationTimeout((float)jobTimeout.TotalMilliseconds);
            var page = await context.NewPageAsync();
            await login(page, ct);
            return await BrowserPool.ExportCookiesAsync(context);
        }
        finally
        {
            await browser.CloseAsync();
        }
    }
}

internal sealed class BenchmarkFailedException(string message) : Exception(message);
