using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace PayApi.Testing;

/// <summary>
/// The real executable (<c>PayApi.Host.dll</c>) in a process of its own, as ops run it: started with settings as
/// command-line arguments, its standard output and error kept in <see cref="LogPath"/>, stopped with SIGTERM as ECS
/// does or killed with SIGKILL as a crash would.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(Process process, string logPath, StreamWriter log, IReadOnlyList<string> arguments)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
        Arguments = arguments;
    }

    /// <summary>The gateway's address (port 0 resolved), read from the start-up banner.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string LogPath { get; }

    public IReadOnlyList<string> Arguments { get; }

    public int ProcessId => _process.Id;

    /// <summary>The value a <c>--key=value</c> argument gave the process, e.g. <c>PayApi:Orleans:SiloPort</c>.</summary>
    public string Setting(string key)
    {
        var prefix = $"--{key}=";
        return Arguments.Last(a => a.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far.</summary>
    public string ReadLog()
    {
        lock (_log)
        {
            _log.Flush();
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The built host next to this test build (same configuration), found from the repository root.</summary>
    public static string HostDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug"; // bin/<configuration>/net10.0/
            var root = Path.GetDirectoryName(Path.GetDirectoryName(Dynalite.ToolDirectory))!; // tests/tools/dynalite -> tests
            var dll = Path.Combine(Path.GetDirectoryName(root)!, "src", "PayApi.Host", "bin", configuration, "net10.0", "PayApi.Host.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"The host is not built: {dll} is missing.");
        }
    }

    /// <summary>
    /// Starts the host with <paramref name="settings"/> (<c>--key=value</c> arguments) on free loopback ports and waits
    /// until its gateway listens. The data dir and log live in <paramref name="directory"/>.
    /// </summary>
    public static async Task<HostProcess> StartAsync(string directory, IEnumerable<string> settings, TimeSpan? startLimit = null, int? siloPort = null, int? gatewayPort = null)
    {
        Directory.CreateDirectory(directory);
        Exception? last = null;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var ports = FreePorts.Take(2);
            string[] arguments =
            [
                HostDll,
                "--urls", "http://127.0.0.1:0",
                $"--PayApi:DataDir={Path.Combine(directory, "data")}",
                $"--PayApi:Orleans:SiloPort={siloPort ?? ports[0]}",
                $"--PayApi:Orleans:GatewayPort={gatewayPort ?? ports[1]}",
                .. settings,
            ];
            var logPath = Path.Combine(directory, $"host-{DateTime.UtcNow:HHmmssfff}-{attempt}.log");
            var host = Launch(arguments, logPath);
            try
            {
                await host.WaitUntilListeningAsync(startLimit ?? TimeSpan.FromSeconds(90));
                return host;
            }
            catch (InvalidOperationException e) when (attempt < 3 && siloPort is null && host.ReadLog().Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
                last = e;
                await host.DisposeAsync();
            }
        }

        throw new InvalidOperationException("The host did not start.", last);
    }

    private static HostProcess Launch(string[] arguments, string logPath)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Quiet, machine-independent runs: no telemetry banner, no development settings files.
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var log = new StreamWriter(new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8) { AutoFlush = true };
        var host = new HostProcess(process, logPath, log, arguments);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        process.Exited += (_, _) => host._listening.TrySetException(new InvalidOperationException($"The host exited with code {SafeExitCode(process)} before listening; see {logPath}."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value));
        }
    }

    private async Task WaitUntilListeningAsync(TimeSpan limit)
    {
        try
        {
            BaseAddress = await _listening.Task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"The host did not listen within {limit.TotalSeconds:0} s; see {LogPath}.");
        }
        catch (InvalidOperationException)
        {
            // It exited: wait until its output is read to the end, so the log tells why (a port taken, a bad setting).
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            throw;
        }

        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
    }

    /// <summary>SIGTERM, as ECS stops a task; returns once the process has exited.</summary>
    public async Task StopAsync(TimeSpan limit)
    {
        if (!_process.HasExited)
        {
            if (SendSignal(_process.Id, SigTerm) != 0)
            {
                throw new InvalidOperationException("kill(SIGTERM) failed.");
            }

            await _process.WaitForExitAsync().WaitAsync(limit);
        }
    }

    /// <summary>SIGKILL: the process dies at once, leaving its membership row and grains behind, as a crashed task does.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    [GeneratedRegex(@"Orleans\.PayApi is listening on (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
