using System.Net;
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
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--PayApi:DataDir={dataDir}",
            $"--PayApi:AdminToken={AdminToken}",
            $"--PayApi:Orleans:SiloPort={FreePort()}",
            $"--PayApi:Orleans:GatewayPort={FreePort()}",
            .. extraArgs,
        ];
        var app = await PayApiApp.BuildAsync(args, builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
        });
        await app.StartAsync();
        return new TestHost(app, dataDir, logs);
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
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
