using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PayApi.Testing;

/// <summary>
/// A test server written for Node.js under <c>tests/tools/&lt;name&gt;</c> (dynalite, s3rver): installs its pinned
/// npm packages when missing (scripts/test.sh does it first; a plain <c>dotnet test</c> in a fresh clone does it
/// here, once, under a file lock so test processes do not run npm ci over each other), starts <c>server.js</c> on a
/// port (0: a free one) and waits for its <c>listening &lt;port&gt;</c> line, and kills it as a crash would.
/// </summary>
internal sealed class NodeTool(string name, string package, string dataOption)
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>The folder holding <c>server.js</c> and its installed <c>node_modules</c>.</summary>
    public string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "tools", name);
                if (File.Exists(Path.Combine(candidate, "server.js")))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException($"tests/tools/{name}/server.js was not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>Starts the server on <paramref name="port"/> with its data in <paramref name="dataPath"/>; returns it and its bound port.</summary>
    public async Task<(Process Process, int Port)> StartAsync(int port, string dataPath)
    {
        var tool = Directory;
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
                    ArgumentList = { Path.Combine(tool, "server.js"), "--port", port.ToString(CultureInfo.InvariantCulture), dataOption, dataPath },
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
            process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{name} exited before listening: {stderr}"));
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                return (process, await ready.Task.WaitAsync(TimeSpan.FromSeconds(30)));
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

        throw new InvalidOperationException($"{name} did not start.", last);
    }

    /// <summary>Kills the server (as a crash would).</summary>
    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        process.Dispose();
    }

    private async Task EnsureInstalledAsync(string tool)
    {
        bool Installed() => File.Exists(Path.Combine(tool, "node_modules", package, "package.json"));
        if (Installed())
        {
            return;
        }

        await InstallGate.WaitAsync();
        try
        {
            using var fileLock = await LockAsync(Path.Combine(tool, ".install.lock"));
            if (Installed())
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
            if (npm.ExitCode != 0 || !Installed())
            {
                throw new InvalidOperationException(
                    $"npm ci in {tool} failed ({npm.ExitCode}): {await stderr}{await stdout}. The tests run a real {name}; scripts/test.sh installs it.");
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
}
