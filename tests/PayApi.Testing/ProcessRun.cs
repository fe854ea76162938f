using System.Collections.Concurrent;
using System.Diagnostics;

namespace PayApi.Testing;

/// <summary>
/// A child process (the built host, <c>bash</c> running a script) with the arguments and environment a test gives it;
/// its standard output and error kept line by line, for start-up checks that need the exit code and every line printed.
/// </summary>
public sealed class ProcessRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private ProcessRun(Process process) => _process = process;

    public IReadOnlyList<string> StandardOutput => [.. _stdout];

    public IReadOnlyList<string> StandardError => [.. _stderr];

    /// <summary>Every line printed, standard output first.</summary>
    public IReadOnlyList<string> AllLines => [.. _stdout, .. _stderr];

    public int ExitCode => _process.ExitCode;

    /// <summary>The built host (<see cref="HostProcess.HostDll"/>) with these arguments and environment (null removes a variable).</summary>
    public static ProcessRun Host(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null) =>
        Start("dotnet", [HostProcess.HostDll, .. arguments], environment, workingDirectory);

    public static ProcessRun Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info };
        var run = new ProcessRun(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                run._stdout.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                run._stderr.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits for the process to end (and its output to be read to the end); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        await _process.WaitForExitAsync().WaitAsync(limit);
        return _process.ExitCode;
    }

    /// <summary>Waits until a printed line contains <paramref name="text"/>, or the process ends first (then false).</summary>
    public async Task<bool> WaitForLineAsync(string text, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!AllLines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                return AllLines.Any(l => l.Contains(text, StringComparison.Ordinal));
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"No line containing \"{text}\" within {limit.TotalSeconds:0} s:{Environment.NewLine}{string.Join(Environment.NewLine, AllLines)}");
            }

            await Task.Delay(50);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }
}
