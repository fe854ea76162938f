using System.Diagnostics;

namespace PayApi.Testing;

/// <summary>
/// A Node.js test server (<see cref="NodeTool"/>) run for one test fixture: on a loopback port, its files in
/// <see cref="DataPath"/> so a test can search them, stoppable as a crash would stop it and started again on the same
/// port and files, to play an outage.
/// </summary>
public abstract class NodeServer : IAsyncDisposable
{
    private readonly NodeTool _tool;
    private Process? _process;

    private protected NodeServer(NodeTool tool, string dataFolder)
    {
        _tool = tool;
        DataPath = Path.Combine(Path.GetTempPath(), dataFolder, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataPath);
    }

    /// <summary>Where the server keeps its files.</summary>
    public string DataPath { get; }

    public int Port { get; private set; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's process id, for measuring its CPU.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>Kills the server (as a crash would); its files stay.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await NodeTool.StopAsync(process);
        }
    }

    /// <summary>Starts the server again on the same port and files.</summary>
    public Task RestartAsync() => StartProcessAsync(Port);

    public virtual async ValueTask DisposeAsync()
    {
        await StopAsync();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }

    /// <summary>Starts the process; port 0 picks a free one.</summary>
    private protected async Task StartProcessAsync(int port)
    {
        (_process, Port) = await _tool.StartAsync(port, DataPath);
    }
}
