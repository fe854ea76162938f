using System.Net;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using PayApi.Testing;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>
/// <c>UseDynamoDBClustering</c> in real hosts: a silo joins through the DynamoDB membership table, a separate client
/// finds its gateway there and calls a grain, and the silo's graceful stop leaves its row Dead, with an expiry.
/// </summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBClusteringHostingTests(DynaliteFixture fixture)
{
    private readonly DynamoDBOptions options = fixture.Server.Options();
    private readonly string clusterId = "cluster-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_client_finds_the_silo_through_the_table_and_a_graceful_stop_leaves_its_row_dead()
    {
        var ports = FreePorts.Take(2);
        using var siloHost = BuildSilo(ports[0], ports[1]);
        Assert.IsType<DynamoDBMembershipTable>(siloHost.Services.GetRequiredService<IMembershipTable>());
        await siloHost.StartAsync();
        string siloAddress;
        try
        {
            using var clientHost = BuildClient();
            Assert.IsType<DynamoDBGatewayListProvider>(clientHost.Services.GetRequiredService<IGatewayListProvider>());
            await clientHost.StartAsync();
            try
            {
                siloAddress = await clientHost.Services.GetRequiredService<IClusterClient>()
                    .GetGrain<IClusteringProbeGrain>("probe").SiloAddress();
            }
            finally
            {
                await clientHost.StopAsync();
            }

            var running = await ReadAllAsync();
            var (entry, _) = Assert.Single(running.Members);
            Assert.Equal(siloAddress, entry.SiloAddress.ToParsableString());
            Assert.Equal(SiloStatus.Active, entry.Status);
            Assert.Equal(ports[1], entry.ProxyPort);
        }
        finally
        {
            await siloHost.StopAsync();
        }

        var stopped = await ReadAllAsync();
        var (dead, _) = Assert.Single(stopped.Members);
        Assert.Equal(SiloStatus.Dead, dead.Status);
        using var client = DynamoDBClientFactory.Create(options);
        var row = (await client.GetItemAsync(new GetItemRequest
        {
            TableName = options.MembershipTable,
            Key = new Dictionary<string, AttributeValue> { ["cluster"] = new() { S = clusterId }, ["row"] = new() { S = siloAddress } },
            ConsistentRead = true,
        })).Item;
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(row["expires_at"].N, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(5), TimeSpan.FromDays(7));
    }

    private IHost BuildSilo(int siloPort, int gatewayPort)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo => silo
            .Configure<ClusterOptions>(Cluster)
            .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
            .UseDynamoDBClustering(Copy));
        return builder.Build();
    }

    private IHost BuildClient()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(Cluster)
            .UseDynamoDBClustering(Copy));
        return builder.Build();
    }

    private void Cluster(ClusterOptions cluster)
    {
        cluster.ClusterId = clusterId;
        cluster.ServiceId = "payapi-clustering-tests";
    }

    private void Copy(DynamoDBOptions target)
    {
        target.ServiceUrl = options.ServiceUrl;
        target.TablePrefix = options.TablePrefix;
        target.MaxErrorRetry = options.MaxErrorRetry;
        target.RequestTimeout = options.RequestTimeout;
    }

    private async Task<MembershipTableData> ReadAllAsync()
    {
        using var client = DynamoDBClientFactory.Create(options);
        var table = new DynamoDBMembershipTable(
            client,
            fixture.Tables(client, options),
            Options.Create(options),
            Options.Create(new ClusterOptions { ClusterId = clusterId }),
            TimeProvider.System,
            NullLogger<DynamoDBMembershipTable>.Instance);
        return await table.ReadAllAsync();
    }
}
