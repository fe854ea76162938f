using System.Diagnostics;

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
    private static readonly NodeTool Tool = new("s3rver", "s3rver", "--directory");
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
            _process = null;
            await NodeTool.StopAsync(process);
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
    public static string ToolDirectory => Tool.Directory;

    private async Task StartProcessAsync(int port)
    {
        (_process, Port) = await Tool.StartAsync(port, DataPath);
    }
}
