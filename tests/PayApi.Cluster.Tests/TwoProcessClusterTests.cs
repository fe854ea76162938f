using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using PayApi.Testing;
using Xunit;
using Xunit.Abstractions;

namespace PayApi.Cluster.Tests;

/// <summary>
/// Two real host processes (silo + gateway each) on dynalite: a connection made through one gateway is read through
/// the other; one process is killed with SIGKILL while a client keeps reading every connection through the survivor
/// for a minute; the killed one restarts and joins again; a disconnect through one is seen at once by the other; and
/// a canary key is nowhere in dynalite's files or either process's log.
/// </summary>
public sealed class TwoProcessClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ReadingTime = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Connections_survive_the_kill_of_a_process_and_a_disconnect_is_seen_everywhere()
    {
        var canary = "rk_test_CANARY" + Guid.NewGuid().ToString("N");
        await using var cluster = await ClusterProcesses.StartDynaliteAsync();
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b");
        var apiA = new ApiClient(a.Http);
        var apiB = new ApiClient(b.Http);

        // The lifecycle of the embedded end-to-end test, its connect on one gateway and its reads on the other.
        var client = await apiA.CreateClientAsync();
        var (canaryConnection, canaryToken) = await apiA.ConnectAsync(client, canary, "end-user-canary");
        var expectedBalance = await ReadBalanceAsync(apiA, canaryToken);
        Assert.Equal(expectedBalance, await ReadBalanceAsync(apiB, canaryToken));
        var transactions = await ReadAllTransactionIdsAsync(apiB, canaryToken);
        Assert.True(transactions.Count >= 120, $"expected at least 120 transactions, got {transactions.Count}");
        Assert.Equal(transactions, await ReadAllTransactionIdsAsync(apiA, canaryToken));
        using (var response = await apiB.SendAsync(HttpMethod.Get, "/v1/connections?end_user_id=end-user-canary", ApiClient.Basic(client)))
        {
            var list = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal(canaryConnection, Assert.Single(list.GetProperty("data").EnumerateArray()).GetProperty("connection_id").GetString());
        }

        // More connections, made through both gateways, so grains and reminders live on both silos.
        var tokens = new List<(string Id, string Token, string Balance)> { (canaryConnection, canaryToken, expectedBalance) };
        for (var i = 0; i < 12; i++)
        {
            var api = i % 2 == 0 ? apiA : apiB;
            var (id, token) = await api.ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"), $"end-user-{i}");
            tokens.Add((id, token, await ReadBalanceAsync(api, token)));
        }

        // Read every connection through B for a minute; kill A a few seconds in.
        var outcomes = new List<(HttpStatusCode Status, bool ProblemWithRetryAfter, TimeSpan Took)>();
        var clock = Stopwatch.StartNew();
        var killed = false;
        while (clock.Elapsed < ReadingTime)
        {
            foreach (var (id, token, balance) in tokens)
            {
                if (!killed && clock.Elapsed > TimeSpan.FromSeconds(5))
                {
                    await a.KillAsync();
                    killed = true;
                    output.WriteLine($"killed A at {clock.Elapsed}");
                }

                var started = clock.Elapsed;
                using var response = await b.Http.SendAsync(ApiClient.Request(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)));
                var body = await response.Content.ReadAsStringAsync();
                var took = clock.Elapsed - started;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Assert.Equal(balance, Data(body));
                    outcomes.Add((response.StatusCode, false, took));
                }
                else
                {
                    var isProblem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                    outcomes.Add((response.StatusCode, isProblem && response.Headers.RetryAfter is not null, took));
                    output.WriteLine($"{clock.Elapsed}: {id} {(int)response.StatusCode} {body}");
                }
            }
        }

        var failures = outcomes.Where(o => o.Status != HttpStatusCode.OK).ToList();
        output.WriteLine($"{outcomes.Count} reads, {failures.Count} failed, slowest {outcomes.Max(o => o.Took)}");
        Assert.True(killed);
        Assert.True(outcomes.Count > 200, $"only {outcomes.Count} reads in a minute");
        Assert.True(failures.Count * 100 < outcomes.Count, $"{failures.Count} of {outcomes.Count} reads failed");
        Assert.All(failures, f => Assert.True(f.ProblemWithRetryAfter, $"a failed read ({f.Status}) was not a problem document with Retry-After"));
        Assert.All(outcomes, o => Assert.True(o.Took < TimeSpan.FromSeconds(30), $"a read took {o.Took}"));

        // Nothing lost: every connection still reads, and through the survivor only.
        foreach (var (_, token, balance) in tokens)
        {
            Assert.Equal(balance, await ReadBalanceAsync(apiB, token));
        }

        // The killed process restarts on its old silo port and joins again.
        var restarted = await cluster.StartAsync("a-restarted", siloPort: int.Parse(a.Setting("PayApi:Orleans:SiloPort"), System.Globalization.CultureInfo.InvariantCulture));
        var apiRestarted = new ApiClient(restarted.Http);
        Assert.Equal(expectedBalance, await ReadBalanceAsync(apiRestarted, canaryToken));

        // A disconnect through one gateway is seen at once through the other.
        var (goneId, goneToken, _) = tokens[^1];
        using (var response = await apiRestarted.SendAsync(HttpMethod.Post, "/v1/disconnect", ApiClient.Bearer(goneToken)))
        {
            var receipt = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal(goneId, receipt.GetProperty("connection_id").GetString());
        }

        using (var response = await apiB.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(goneToken)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        await restarted.StopAsync(TimeSpan.FromSeconds(60));
        await b.StopAsync(TimeSpan.FromSeconds(60));
        await cluster.Dynalite.StopAsync();

        // The canary key was stored (sealed) and read many times: it must be in no file of dynalite and no log line.
        Assert.DoesNotContain(canary, cluster.AllLogs(), StringComparison.Ordinal);
        var needle = Encoding.UTF8.GetBytes(canary);
        var files = Directory.EnumerateFiles(cluster.Dynalite.DataPath, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0, $"the canary is in {file}");
        }
    }

    private static async Task<string> ReadBalanceAsync(ApiClient api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
        var body = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        return body.GetProperty("data").GetRawText();
    }

    private static string Data(string body) => JsonDocument.Parse(body).RootElement.GetProperty("data").GetRawText();

    private static async Task<List<string>> ReadAllTransactionIdsAsync(ApiClient api, string token)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var path = "/v1/transactions?limit=50" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await api.SendAsync(HttpMethod.Get, path, ApiClient.Bearer(token));
            var page = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            ids.AddRange(page.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.String ? page.GetProperty("next_cursor").GetString() : null;
        }
        while (cursor is not null);

        return ids;
    }
}
