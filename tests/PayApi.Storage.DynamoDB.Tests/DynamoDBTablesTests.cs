using Amazon.DynamoDBv2.Model;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>Tables are created when missing, by racing silos too, with on-demand billing and their TTL attribute.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBTablesTests(DynaliteFixture fixture)
{
    [Fact]
    public async Task A_missing_table_is_created_on_demand_with_its_ttl_and_racing_creators_agree()
    {
        var (options, client) = fixture.NewTables();
        var spec = new DynamoDBTables.TableSpec(options.MembershipTable, "cluster", "row", TimeToLiveAttribute: "expires_at");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fixture.Tables(client, options).EnsureAsync(spec, CancellationToken.None)));

        var table = (await client.DescribeTableAsync(new DescribeTableRequest { TableName = options.MembershipTable })).Table;
        Assert.Equal("ACTIVE", table.TableStatus.Value);
        Assert.Equal("PAY_PER_REQUEST", table.BillingModeSummary.BillingMode.Value);
        var ttl = (await client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = options.MembershipTable })).TimeToLiveDescription;
        Assert.Equal("ENABLED", ttl.TimeToLiveStatus.Value);
        Assert.Equal("expires_at", ttl.AttributeName);
    }

    [Fact]
    public async Task With_creation_off_a_missing_table_is_a_clear_error()
    {
        var (options, client) = fixture.NewTables();
        options.CreateTables = false;
        var tables = fixture.Tables(client, options);
        var spec = new DynamoDBTables.TableSpec(options.GrainStateTable, "pk");

        var error = await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => tables.EnsureAsync(spec, CancellationToken.None));
        Assert.Contains(options.GrainStateTable, error.Message);
    }
}
