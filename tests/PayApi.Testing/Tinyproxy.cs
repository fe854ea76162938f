using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PayApi.Testing;

/// <summary>
/// A real tinyproxy on a loopback port for proxy tests. It adds <c>Via: 1.1 &lt;viaName&gt;</c>, so a site can tell
/// which proxy a request came through; <see cref="RequestCount"/> counts the requests it forwarded.
/// </summary>
public sealed class Tinyproxy : IAsyncDisposable
{
    public const string BinaryPath = "/usr/bin/tinyproxy";

    private readonly Process _process;
    private readonly string _directory;
    private readonly string _logPath;

    private Tinyproxy(Process process, string directory, string logPath, int port, string viaName)
    {
        _process = process;
        _directory = directory;
        _logPath = logPath;
        Address = new Uri($"http://127.0.0.1:{port}");
        ViaName = viaName;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public Uri Address { get; }

    public string ViaName { get; }

    /// <summary>Requests tinyproxy has accepted so far, read from its log.</summary>
    public int RequestCount
    {
        get
        {
            if (!File.Exists(_logPath))
            {
                return 0;
            }

            using var stream = new FileStream(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var count = 0;
            while (reader.ReadLine() is { } line)
            {
                if (line.Contains("Request (file descriptor", StringComparison.Ordinal))
                {
                    count++;
                }
            }

            return count;
        }
    }

    /// <summary>
    /// <see cref="RequestCount"/> once it has stopped moving for half a second: tinyproxy logs a request a moment
    /// after relaying it, and a page may still send a late request (a favicon) after its job returned.
    /// </summary>
    public async Task<int> SettledRequestCountAsync()
    {
        var count = RequestCount;
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(500);
            var now = RequestCount;
            if (now == count)
            {
                return now;
            }

            count = now;
        }

        return count;
    }

    public static async Task<Tinyproxy> StartAsync(string viaName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(viaName);
        if (viaName.IndexOfAny(['"', '\n', '\r']) >= 0)
        {
            throw new ArgumentException("The Via name must not contain quotes or line breaks.", nameof(viaName));
        }

        if (!File.Exists(BinaryPath))
        {
            throw new InvalidOperationException(
                $"tinyproxy was not found at {BinaryPath}. The proxy tests run a real tinyproxy: install it with `apt-get install -y tinyproxy`.");
        }

        // A free port can be taken between our probe and tinyproxy's bind; try a few.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "payapi-tinyproxy", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            var port = FreePorts.Take();
            var logPath = Path.Combine(directory, "tinyproxy.log");
            var configPath = Path.Combine(directory, "tinyproxy.conf");
            await File.WriteAllTextAsync(configPath, $"""
                Port {port}
                Listen 127.0.0.1
                Timeout 60
                ViaProxyName "{viaName}"
                Allow 127.0.0.1
                MaxClients 50
                LogFile "{logPath}"
                LogLevel Connect
                PidFile "{Path.Combine(directory, "tinyproxy.pid")}"

                """);

            var process = Process.Start(new ProcessStartInfo(BinaryPath)
            {
                ArgumentList = { "-d", "-c", configPath },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException($"Could not start {BinaryPath}.");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var proxy = new Tinyproxy(process, directory, logPath, port, viaName);
            try
            {
                await proxy.WaitUntilListeningAsync(TimeSpan.FromSeconds(10));
                return proxy;
            }
            catch (InvalidOperationException e)
            {
                last = e;
                await proxy.DisposeAsync();
            }
        }

        throw new InvalidOperationException("tinyproxy did not start listening after three attempts.", last);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp folder must not fail a test.
            }
        }
    }

    private async Task WaitUntilListeningAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"tinyproxy exited with code {_process.ExitCode} before listening on {Address}.");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, Address.Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"tinyproxy did not listen on {Address} within {limit.TotalSeconds} s.");
    }
}
