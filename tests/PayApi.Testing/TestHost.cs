using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PayApi.Host;

namespace PayApi.Testing;

/// <summary>
/// The real executable's application (silo + gateway + sandbox) started in-process on loopback ports,
/// over a data dir the test owns, so a test can stop it and start it again on the same state.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token-0123456789";

    private readonly WebApplication _app;

    private TestHost(WebApplication app, string dataDir, CapturedLogs logs)
    {
        _app = app;
        DataDir = dataDir;
        Logs = logs;
        BaseAddress = new Uri(app.ListeningAddresses().First());
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public string DataDir { get; }

    public CapturedLogs Logs { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestHost> StartAsync(string? dataDir = null, CapturedLogs? logs = null, params string[] extraArgs)
    {
        dataDir ??= NewDataDir();
        logs ??= new CapturedLogs();
        // The silo's ports are picked free, then bound by Orleans a moment later; another process can take one
        // in between, so a start that finds its port taken is tried again with new ones.
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePorts.Take(2);
            string[] args =
            [
                "--urls", "http://127.0.0.1:0",
                $"--PayApi:DataDir={dataDir}",
                $"--PayApi:AdminToken={AdminToken}",
                $"--PayApi:Orleans:SiloPort={ports[0]}",
                $"--PayApi:Orleans:GatewayPort={ports[1]}",
                .. extraArgs,
            ];
            var app = await PayApiApp.BuildAsync(args, builder =>
            {
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
            });
            try
            {
                await app.StartAsync();
                return new TestHost(app, dataDir, logs);
            }
            catch (Exception e) when (attempt < 3 && IsAddressInUse(e))
            {
                await app.DisposeAsync();
            }
        }
    }

    private static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    public static string NewDataDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "payapi-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();

        // For diagnosing a failed run: the service's log of each host, when a directory is named for it.
        if (Environment.GetEnvironmentVariable("PAYAPI_TEST_LOG_DIR") is { Length: > 0 } logDir)
        {
            Directory.CreateDirectory(logDir);
            await File.WriteAllTextAsync(Path.Combine(logDir, $"host-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():n}.log"), Logs.All);
        }
    }
}
