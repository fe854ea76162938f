using System.Net.Http.Json;
using PayApi.Storage.DynamoDB;

namespace PayApi.Testing;

/// <summary>
/// A real dynalite (DynamoDB on LevelDB, npm package <c>dynalite</c>) on a loopback port, run by
/// <c>tests/tools/dynalite/server.js</c>, which adds TransactWriteItems and TTL settings in front of it and can
/// be told to throttle, fail or hang. Its LevelDB files live in <see cref="DataPath"/>, so a test can search them.
/// It can be stopped and started again on the same port and files, to play an outage.
/// </summary>
public sealed class Dynalite : NodeServer
{
    private static readonly NodeTool Tool = new("dynalite", "dynalite", "--path");
    private readonly HttpClient _control = new() { Timeout = TimeSpan.FromSeconds(10) };

    private Dynalite()
        : base(Tool, "payapi-dynalite")
    {
    }

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
        var server = new Dynalite();
        await server.StartProcessAsync(port: 0);
        return server;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests (-1: all until <see cref="ClearFaultsAsync"/>), of <paramref name="operation"/>
    /// on <paramref name="table"/> when given, get <paramref name="mode"/>: throttle, server_error, hang, lost_answer
    /// (applied, then answered 500), or unprocessed (a BatchWriteItem applies one write per table and hands the rest back).
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

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _control.Dispose();
    }

    /// <summary>The folder holding <c>server.js</c> and its installed <c>node_modules</c>.</summary>
    public static string ToolDirectory => Tool.Directory;
}
