using System.Diagnostics;
using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Orleans.Runtime;
using PayApi.Storage.DynamoDB;
using PayApi.Testing;
using Xunit;
using Xunit.Abstractions;

namespace PayApi.Cluster.Tests;

/// <summary>
/// The roles ops split a cluster into, and how a member leaves it: a gateway-only process serving the API from a
/// silo-only process; SIGTERM letting in-flight requests finish, the silo leave the membership table and its grains
/// move to the survivor with no failed read.
/// </summary>
public sealed class RolesAndShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_gateway_only_process_started_before_any_silo_serves_the_api_from_a_silo_only_process()
    {
        await using var cluster = await ClusterProcesses.StartDynaliteAsync();
        // The gateway starts first, as on a deployment that brings gateway tasks up before any silo: it waits for one.
        var gatewayStarting = cluster.StartAsync("gateway", null, "--PayApi:Role=Gateway");
        var clock = Stopwatch.StartNew();
        while (!cluster.LogsOf("gateway").Contains("No silo of the cluster answered yet", StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60) && !gatewayStarting.IsCompleted, "the gateway did not wait for a silo");
            await Task.Delay(100);
        }

        var silo = await cluster.StartAsync("silo", null, "--PayApi:Role=Silo");
        var gateway = await gatewayStarting;

        var api = new ApiClient(gateway.Http);
        var client = await api.CreateClientAsync();
        var (_, token) = await api.ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"));
        using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        // The silo process answers its probes and nothing else; the gateway process runs no silo.
        using (var response = await silo.Http.GetAsync("/v1/providers"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Contains("role Silo", silo.ReadLog(), StringComparison.Ordinal);
        Assert.Contains("role Gateway", gateway.ReadLog(), StringComparison.Ordinal);
        var members = await MembershipStatusesAsync(cluster);
        Assert.Single(members, m => m.Status == "Active");
    }

    [Fact]
    public async Task Sigterm_finishes_in_flight_requests_and_hands_the_grains_over_without_a_failed_read()
    {
        await using var cluster = await ClusterProcesses.StartDynaliteAsync();
        var a = await cluster.StartAsync("a");
        var b = await cluster.StartAsync("b");
        var apiA = new ApiClient(a.Http);
        var apiB = new ApiClient(b.Http);
        var client = await apiB.CreateClientAsync();
        var tokens = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            tokens.Add((await (i % 2 == 0 ? apiA : apiB).ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"), $"user-{i}")).AccessToken);
        }

        // A refresh through A that is still waiting on the provider when A is told to stop.
        cluster.Sandbox.StripeResponseDelay = TimeSpan.FromSeconds(2);
        var stripeCallsBefore = cluster.Sandbox.StripeRequestCount;
        var refresh = apiA.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(tokens[0]));
        var clock = Stopwatch.StartNew();
        while (cluster.Sandbox.StripeRequestCount == stripeCallsBefore)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the refresh never reached the provider");
            await Task.Delay(20);
        }

        var stopping = a.StopAsync(TimeSpan.FromSeconds(60));
        using (var response = await refresh)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await stopping;
        cluster.Sandbox.StripeResponseDelay = TimeSpan.Zero;
        output.WriteLine($"A exited with {a.ExitCode} after {clock.Elapsed}");
        Assert.Equal(0, a.ExitCode);

        // A left the table on its way out: B need not detect its death, so no read through B waits or fails.
        var members = await MembershipStatusesAsync(cluster);
        Assert.Single(members, m => m.Status == "Active");
        Assert.Contains(members, m => m.Status == "Dead");
        foreach (var token in tokens)
        {
            var started = clock.Elapsed;
            using var response = await apiB.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.True(clock.Elapsed - started < TimeSpan.FromSeconds(5), $"a read after the handover took {clock.Elapsed - started}");
        }
    }

    // Status of every silo row of the cluster, read straight from the membership table (the version row has none).
    private static async Task<List<(string Silo, string Status)>> MembershipStatusesAsync(ClusterProcesses cluster)
    {
        var options = cluster.Dynalite.Options(cluster.TablePrefix);
        using var dynamo = (AmazonDynamoDBClient)DynamoDBClientFactory.Create(options);
        var items = await dynamo.ScanAsync(new ScanRequest { TableName = options.MembershipTable, ConsistentRead = true });
        return (items.Items ?? [])
            .Where(i => i.TryGetValue("status", out var status) && status.N is not null)
            .Select(i => (i["row"].S, ((SiloStatus)int.Parse(i["status"].N, System.Globalization.CultureInfo.InvariantCulture)).ToString()))
            .ToList();
    }
}
