using System.Diagnostics;
using System.Net.Http.Json;
using PayApi.Storage.DynamoDB;

namespace PayApi.Testing;

/// <summary>
/// A real dynalite (DynamoDB on LevelDB, npm package <c>dynalite</c>) on a loopback port, run by
/// <c>tests/tools/dynalite/server.js</c>, which adds TransactWriteItems and TTL settings in front of it and can
/// be told to throttle, fail or hang. Its LevelDB files live in <see cref="DataPath"/>, so a test can search them.
/// It can be stopped and started again on the same port and files, to play an outage.
/// </summary>
public sealed class Dynalite : IAsyncDisposable
{
    private readonly HttpClient _control = new() { Timeout = TimeSpan.FromSeconds(10) };
    private Process? _process;

    private Dynalite(string dataPath)
    {
        DataPath = dataPath;
    }

    /// <summary>Where dynalite keeps its LevelDB files.</summary>
    public string DataPath { get; }

    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>, for <c>PayApi:DynamoDB:ServiceUrl</c>.</summary>
    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's process id, for measuring its CPU.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("dynalite is not running.");

    /// <summary>Options for a fresh set of tables of this server: a unique prefix keeps tests apart.</summary>
    public DynamoDBOptions Options(string? tablePrefix = null) => new()
    {
        ServiceUrl = ServiceUrl,
        TablePrefix = tablePrefix ?? NewTablePrefix(),
        MaxErrorRetry = 2,
        RequestTimeout = TimeSpan.FromSeconds(3),
    };

    public static string NewTablePrefix() => "t" + Guid.NewGuid().ToString("N")[..12] + "-";

    public static async Task<Dynalite> StartAsync()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "payapi-dynalite", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        var server = new Dynalite(dataPath);
        await server.StartProcessAsync(port: 0);
        return server;
    }

    /// <summary>Kills the server (as a crash would); its files stay.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            process.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts the server again on the same port and files.</summary>
    public Task RestartAsync() => StartProcessAsync(Port);

    /// <summary>
    /// The next <paramref name="count"/> requests (-1: all until <see cref="ClearFaultsAsync"/>), of <paramref name="operation"/>
    /// on <paramref name="table"/> when given, get <paramref name="mode"/>: throttle, server_error, hang, or lost_answer
    /// (applied, then answered 500).
    /// </summary>
    public async Task SetFaultAsync(string mode, int count, string? operation = null, string? table = null)
    {
        using var response = await _control.PostAsJsonAsync($"{ServiceUrl}/__faults", new { mode, count, operation, table });
        response.EnsureSuccessStatusCode();
    }

    public Task ClearFaultsAsync() => SetFaultAsync("none", 0);

    /// <summary>DynamoDB requests the server has received, and how many of them it answered with a fault.</summary>
    public async Task<(int Requests, int Faulted, int Transactions)> StatsAsync()
    {
        var stats = await _control.GetFromJsonAsync<Dictionary<string, int>>($"{ServiceUrl}/__stats") ?? [];
        return (stats.GetValueOrDefault("requests"), stats.GetValueOrDefault("faulted"), stats.GetValueOrDefault("transactions"));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _control.Dispose();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }

    /// <summary>The folder holding <c>server.js</c> and its installed <c>node_modules</c>.</summary>
    public static string ToolDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "tools", "dynalite");
                if (File.Exists(Path.Combine(candidate, "server.js")))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("tests/tools/dynalite/server.js was not found above " + AppContext.BaseDirectory);
        }
    }

    private async Task StartProcessAsync(int port)
    {
        var tool = ToolDirectory;
        if (!Directory.Exists(Path.Combine(tool, "node_modules", "dynalite")))
        {
            throw new InvalidOperationException(
                $"dynalite is not installed in {tool}. The DynamoDB tests run a real dynalite: scripts/test.sh installs it (npm ci --prefix tests/tools/dynalite).");
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var stderr = new System.Text.StringBuilder();
            var process = new Process
            {
                StartInfo = new ProcessStartInfo("node")
                {
                    ArgumentList = { Path.Combine(tool, "server.js"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--path", DataPath },
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                    WorkingDirectory = tool,
                },
                EnableRaisingEvents = true,
            };
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && line.StartsWith("listening ", StringComparison.Ordinal)
                    && int.TryParse(line.AsSpan("listening ".Length), out var bound))
                {
                    ready.TrySetResult(bound);
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (stderr)
                    {
                        stderr.AppendLine(e.Data);
                    }
                }
            };
            process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("dynalite exited before listening: " + stderr));
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                Port = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
                _process = process;
                return;
            }
            catch (Exception e) when (attempt < 2)
            {
                // The port of a restart can be taken meanwhile (EADDRINUSE); a fresh start never names one.
                last = e;
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }

                process.Dispose();
                await Task.Delay(200);
            }
        }

        throw new InvalidOperationException("dynalite did not start.", last);
    }
}
