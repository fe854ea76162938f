using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PayApi.Testing;

/// <summary>
/// A real s3rver (an S3 REST server whose objects are plain files, npm package <c>s3rver</c>) on a loopback port,
/// run by <c>tests/tools/s3rver/server.js</c>, which accepts any access key and answers back server-side-encryption
/// headers that s3rver itself drops. Its files live in <see cref="DataPath"/>, so a test can search them. It can be
/// stopped and started again on the same port and files, to play an outage. Installs s3rver on first use when the
/// clone has no <c>node_modules</c> yet.
/// </summary>
public sealed class S3rver : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private Process? _process;

    private S3rver(string dataPath)
    {
        DataPath = dataPath;
    }

    /// <summary>Where s3rver keeps its files: objects under <c>objects/&lt;bucket&gt;/</c>, and <c>sse.log</c>.</summary>
    public string DataPath { get; }

    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>, for <c>PayApi:S3:ServiceUrl</c>.</summary>
    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's process id.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("s3rver is not running.");

    /// <summary>A bucket name no other test uses.</summary>
    public static string NewBucketName() => "t" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The file holding an object's bytes, as s3rver lays it out.</summary>
    public string ObjectFile(string bucket, string key) =>
        Path.Combine([DataPath, "objects", bucket, .. key.Split('/')[..^1], key.Split('/')[^1] + "._S3rver_object"]);

    public static async Task<S3rver> StartAsync()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "payapi-s3rver", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        var server = new S3rver(dataPath);
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

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
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
                var candidate = Path.Combine(dir.FullName, "tests", "tools", "s3rver");
                if (File.Exists(Path.Combine(candidate, "server.js")))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("tests/tools/s3rver/server.js was not found above " + AppContext.BaseDirectory);
        }
    }

    // scripts/test.sh installs s3rver before the tests; a plain `dotnet test` in a fresh clone does it here, once,
    // under a file lock so two test processes do not run npm ci over each other.
    private static async Task EnsureInstalledAsync(string tool)
    {
        static bool Installed(string tool) => File.Exists(Path.Combine(tool, "node_modules", "s3rver", "package.json"));
        if (Installed(tool))
        {
            return;
        }

        await InstallGate.WaitAsync();
        try
        {
            using var fileLock = await LockAsync(Path.Combine(tool, ".install.lock"));
            if (Installed(tool))
            {
                return;
            }

            using var npm = Process.Start(new ProcessStartInfo("npm")
            {
                ArgumentList = { "ci", "--no-audit", "--no-fund", "--loglevel=error" },
                WorkingDirectory = tool,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("npm could not be started.");
            var stdout = npm.StandardOutput.ReadToEndAsync();
            var stderr = npm.StandardError.ReadToEndAsync();
            await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            if (npm.ExitCode != 0 || !Installed(tool))
            {
                throw new InvalidOperationException(
                    $"npm ci in {tool} failed ({npm.ExitCode}): {await stderr}{await stdout}. The S3 tests run a real s3rver; scripts/test.sh installs it.");
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another process holds it while its npm ci runs.
                await Task.Delay(250);
            }
        }
    }

    private async Task StartProcessAsync(int port)
    {
        var tool = ToolDirectory;
        await EnsureInstalledAsync(tool);

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var stderr = new StringBuilder();
            var process = new Process
            {
                StartInfo = new ProcessStartInfo("node")
                {
                    ArgumentList = { Path.Combine(tool, "server.js"), "--port", port.ToString(CultureInfo.InvariantCulture), "--directory", DataPath },
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
            process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("s3rver exited before listening: " + stderr));
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

        throw new InvalidOperationException("s3rver did not start.", last);
    }
}
