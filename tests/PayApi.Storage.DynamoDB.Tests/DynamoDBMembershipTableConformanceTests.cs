using Amazon.DynamoDBv2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using PayApi.Storage.Conformance;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>Runs the shared membership contract against a real dynalite, each test on tables of its own prefix.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBMembershipTableConformanceTests : MembershipTableConformanceTests
{
    private readonly DynaliteFixture fixture;
    private readonly DynamoDBOptions options;
    private readonly IAmazonDynamoDB client;

    public DynamoDBMembershipTableConformanceTests(DynaliteFixture fixture)
    {
        this.fixture = fixture;
        (options, client) = fixture.NewTables();
    }

    protected override IMembershipTable CreateMembershipTable(ConformanceServices services, IOptions<ClusterOptions> clusterOptions) =>
        new DynamoDBMembershipTable(
            client,
            fixture.Tables(client, options),
            Options.Create(options),
            clusterOptions,
            services.Services.GetRequiredService<TimeProvider>(),
            services.Logger<DynamoDBMembershipTable>());

    protected override IGatewayListProvider CreateGatewayListProvider(
        ConformanceServices services, IOptions<ClusterOptions> clusterOptions, IOptions<GatewayOptions> gatewayOptions) =>
        new DynamoDBGatewayListProvider(client, fixture.Tables(client, options), Options.Create(options), clusterOptions, gatewayOptions);

    protected override Task DisposeBackendAsync()
    {
        client.Dispose();
        return Task.CompletedTask;
    }
}
