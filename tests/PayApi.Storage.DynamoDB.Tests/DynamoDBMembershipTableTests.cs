using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>
/// What the DynamoDB membership table does beyond the shared contract: outages surface as
/// <see cref="DynamoDBUnavailableException"/> (never as a lost race), dead rows carry a TTL, every read is strongly
/// consistent.
/// </summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBMembershipTableTests(DynaliteFixture fixture) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private readonly (DynamoDBOptions Options, IAmazonDynamoDB Client) tables = fixture.NewTables();
    private readonly string clusterId = "cluster-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task An_outage_surfaces_as_unavailable_after_the_sdks_retries_and_never_as_a_lost_race()
    {
        var table = NewTable(tables.Client);
        await table.InitializeMembershipTableAsync(true);
        var version = (await table.ReadAllAsync()).Version;
        var (_, faultedBefore, _) = await fixture.Server.StatsAsync();

        await fixture.Server.SetFaultAsync("server_error", -1);
        try
        {
            var read = await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => table.ReadAllAsync());
            Assert.Contains(tables.Options.MembershipTable, read.Message);
            var (_, faultedAfterRead, _) = await fixture.Server.StatsAsync();
            // The first attempt and every retry the options allow were all sent, and all failed.
            Assert.Equal(tables.Options.MaxErrorRetry + 1, faultedAfterRead - faultedBefore);

            // A write that could not reach DynamoDB is not "someone else won": false would make Orleans re-read and
            // retry as if the table had moved on.
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => table.InsertRowAsync(NewEntry(SiloStatus.Joining), version.Next()));
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => table.UpdateIAmAliveAsync(NewEntry(SiloStatus.Active)));
        }
        finally
        {
            await fixture.Server.ClearFaultsAsync();
        }

        var after = await table.ReadAllAsync();
        Assert.Equal(version, after.Version);
        Assert.Empty(after.Members);
    }

    [Fact]
    public async Task A_dead_silos_row_expires_a_week_after_its_death_and_no_other_row_expires()
    {
        var table = NewTable(tables.Client);
        await table.InitializeMembershipTableAsync(true);
        var ttl = (await tables.Client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = tables.Options.MembershipTable }))
            .TimeToLiveDescription;
        Assert.Equal("ENABLED", ttl.TimeToLiveStatus.Value);
        Assert.Equal("expires_at", ttl.AttributeName);

        var entry = NewEntry(SiloStatus.Active);
        var start = (await table.ReadAllAsync()).Version;
        Assert.True(await table.InsertRowAsync(entry, start.Next()));
        Assert.False((await RawRowAsync(entry.SiloAddress.ToParsableString())).ContainsKey("expires_at"));

        var read = await table.ReadAllAsync();
        var dead = Copy(entry, SiloStatus.Dead);
        Assert.True(await table.UpdateRowAsync(dead, read.Members[0].Item2, read.Version.Next()));

        var row = await RawRowAsync(entry.SiloAddress.ToParsableString());
        Assert.Equal((Now + TimeSpan.FromDays(7)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), row["expires_at"].N);
        Assert.False((await RawRowAsync("#version")).ContainsKey("expires_at"));

        // An update replaces the whole row: a status other than Dead keeps no expiry.
        read = await table.ReadAllAsync();
        Assert.True(await table.UpdateRowAsync(Copy(entry, SiloStatus.Active), read.Members[0].Item2, read.Version.Next()));
        Assert.False((await RawRowAsync(entry.SiloAddress.ToParsableString())).ContainsKey("expires_at"));
    }

    [Fact]
    public async Task Every_read_of_the_table_and_the_gateway_list_is_strongly_consistent()
    {
        var recorder = RequestRecorder.Wrap(tables.Client);
        var table = NewTable(recorder.Client);
        await table.InitializeMembershipTableAsync(true);
        var entry = NewEntry(SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        var gateways = new DynamoDBGatewayListProvider(recorder.Client, fixture.Tables(recorder.Client, tables.Options), Options.Create(tables.Options),
            ClusterOptions(), Options.Create(new GatewayOptions()));

        await table.ReadAllAsync();
        await table.ReadRowAsync(entry.SiloAddress);
        await table.CleanupDefunctSiloEntriesAsync(Now);
        Assert.Single(await gateways.GetGatewaysAsync());

        var reads = recorder.Requests.Where(r => r is GetItemRequest or QueryRequest or ScanRequest or BatchGetItemRequest).ToList();
        Assert.Contains(reads, r => r is GetItemRequest);
        Assert.Contains(reads, r => r is QueryRequest);
        Assert.All(reads, r => Assert.True(r switch
        {
            GetItemRequest get => get.ConsistentRead == true,
            QueryRequest query => query.ConsistentRead == true,
            _ => false,
        }, $"{r.GetType().Name} was not a strongly consistent read"));
    }

    public void Dispose() => tables.Client.Dispose();

    private DynamoDBMembershipTable NewTable(IAmazonDynamoDB client) => new(
        client,
        fixture.Tables(client, tables.Options),
        Options.Create(tables.Options),
        ClusterOptions(),
        new FixedClock(Now),
        NullLogger<DynamoDBMembershipTable>.Instance);

    private IOptions<ClusterOptions> ClusterOptions() => Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "payapi-tests" });

    private async Task<Dictionary<string, AttributeValue>> RawRowAsync(string row)
    {
        var response = await tables.Client.GetItemAsync(new GetItemRequest
        {
            TableName = tables.Options.MembershipTable,
            Key = new Dictionary<string, AttributeValue> { ["cluster"] = new() { S = clusterId }, ["row"] = new() { S = row } },
            ConsistentRead = true,
        });
        Assert.True(response.Item is { Count: > 0 }, $"row {row} is missing");
        return response.Item;
    }

    private static MembershipEntry NewEntry(SiloStatus status)
    {
        var generation = Random.Shared.Next(1, int.MaxValue);
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, 11_111, generation),
            Status = status,
            ProxyPort = 30_000,
            HostName = "host",
            SiloName = "silo",
            StartTime = Now.UtcDateTime.AddMinutes(-1),
            IAmAliveTime = Now.UtcDateTime,
        };
    }

    private static MembershipEntry Copy(MembershipEntry entry, SiloStatus status) => new()
    {
        SiloAddress = entry.SiloAddress,
        Status = status,
        ProxyPort = entry.ProxyPort,
        HostName = entry.HostName,
        SiloName = entry.SiloName,
        StartTime = entry.StartTime,
        IAmAliveTime = entry.IAmAliveTime,
    };

    /// <summary>A clock that always reads one instant, so an expiry can be checked to the second.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The real client behind a proxy that keeps every request object it is handed.</summary>
    public class RequestRecorder : DispatchProxy
    {
        private IAmazonDynamoDB? inner;

        public IAmazonDynamoDB Client { get; private set; } = null!;

        public ConcurrentQueue<AmazonWebServiceRequest> Requests { get; } = new();

        public static RequestRecorder Wrap(IAmazonDynamoDB inner)
        {
            var client = Create<IAmazonDynamoDB, RequestRecorder>();
            var recorder = (RequestRecorder)(object)client;
            recorder.inner = inner;
            recorder.Client = client;
            return recorder;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            foreach (var request in (args ?? []).OfType<AmazonWebServiceRequest>())
            {
                Requests.Enqueue(request);
            }

            try
            {
                return targetMethod.Invoke(inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
