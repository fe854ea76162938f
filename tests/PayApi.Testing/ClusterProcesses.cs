using System.Net;
using System.Security.Cryptography;
using PayApi.Sandbox;

namespace PayApi.Testing;

/// <summary>
/// Real host processes sharing one cluster on one dynalite: the settings every member needs (the same tables,
/// cluster id, admin token and master key, fast failure detection), and the processes' folders and logs.
/// </summary>
public sealed class ClusterProcesses : IAsyncDisposable
{
    private readonly List<HostProcess> _hosts = [];

    private ClusterProcesses(Dynalite dynalite, SandboxServer sandbox, string root)
    {
        Dynalite = dynalite;
        Sandbox = sandbox;
        Root = root;
    }

    public Dynalite Dynalite { get; }

    /// <summary>The one sandbox site every member uses (in this test process, so tests can watch and slow it).</summary>
    public SandboxServer Sandbox { get; }

    /// <summary>Each process's data dir and log live under it.</summary>
    public string Root { get; }

    public string TablePrefix { get; } = Dynalite.NewTablePrefix();

    public string ClusterId { get; } = "c" + Guid.NewGuid().ToString("N")[..10];

    public string MasterKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public IReadOnlyList<HostProcess> Hosts => _hosts;

    public static async Task<ClusterProcesses> StartDynaliteAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "payapi-cluster-processes", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);
        return new ClusterProcesses(await Dynalite.StartAsync(), sandbox, root);
    }

    /// <summary>The settings a member of this cluster runs with, plus <paramref name="extra"/>.</summary>
    public IEnumerable<string> Settings(params string[] extra) =>
    [
        "--PayApi:Storage:Provider=DynamoDB",
        "--PayApi:Clustering:Provider=DynamoDB",
        $"--PayApi:DynamoDB:ServiceUrl={Dynalite.ServiceUrl}",
        $"--PayApi:DynamoDB:TablePrefix={TablePrefix}",
        $"--PayApi:Orleans:ClusterId={ClusterId}",
        $"--PayApi:AdminToken={TestHost.AdminToken}",
        $"--PayApi:Vault:MasterKey={MasterKey}",
        "--PayApi:Sandbox:Enabled=true",
        $"--PayApi:Sandbox:Url={Sandbox.BaseAddress}",
        "--PayApi:Orleans:ProbeTimeout=00:00:01",
        "--PayApi:Orleans:MissedProbesLimit=2",
        // The tests read as fast as they can; the per-caller limit is not what they are about.
        "--PayApi:RateLimit:PermitsPerSecond=100000",
        "--PayApi:RateLimit:Burst=100000",
        "--Logging:LogLevel:Default=Debug",
        "--Logging:LogLevel:Orleans=Information",
        "--Logging:LogLevel:Microsoft=Information",
        .. extra,
    ];

    /// <summary>Starts a member named <paramref name="name"/> (its folder under <see cref="Root"/>).</summary>
    public async Task<HostProcess> StartAsync(string name, int? siloPort = null, params string[] extra)
    {
        var host = await HostProcess.StartAsync(Path.Combine(Root, name), Settings(extra), siloPort: siloPort);
        lock (_hosts)
        {
            _hosts.Add(host);
        }

        await WaitReadyAsync(host);
        return host;
    }

    /// <summary>Polls <c>/readyz</c> until the process's silo answers and storage is readable.</summary>
    public static async Task WaitReadyAsync(HostProcess host)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var response = await host.Http.GetAsync("/readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline || host.HasExited)
            {
                throw new InvalidOperationException($"The host is not ready after 60 s; see {host.LogPath}.");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Every log line any member wrote, killed ones included.</summary>
    public string AllLogs() => string.Join('\n', Directory.EnumerateFiles(Root, "*.log", SearchOption.AllDirectories).Select(ReadShared));

    /// <summary>What the member named <paramref name="name"/> has written so far, while it may still be starting.</summary>
    public string LogsOf(string name)
    {
        var folder = Path.Combine(Root, name);
        return Directory.Exists(folder) ? string.Join('\n', Directory.EnumerateFiles(folder, "*.log").Select(ReadShared)) : "";
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await Dynalite.DisposeAsync();
        await Sandbox.DisposeAsync();

        // For diagnosing a failed run: every process's log, when a directory is named for it (as TestHost does).
        if (Environment.GetEnvironmentVariable("PAYAPI_TEST_LOG_DIR") is { Length: > 0 } logDir)
        {
            foreach (var log in Directory.EnumerateFiles(Root, "*.log", SearchOption.AllDirectories))
            {
                var target = Path.Combine(logDir, "cluster-" + Path.GetFileName(Root), Path.GetRelativePath(Root, log));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(log, target, overwrite: true);
            }
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
