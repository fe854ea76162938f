using Amazon.DynamoDBv2.Model;
using Orleans.Runtime;
using Orleans.TestingHost;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>
/// A real silo registered with <c>AddDynamoDBGrainStorage</c> and <c>UseDynamoDBReminderService</c> on dynalite:
/// the tables exist once the silo has started, state and reminders written by one cluster are read back by a new
/// cluster, and an oversized state reaches the caller as <see cref="GrainStateTooLargeException"/> (inside the
/// <see cref="OrleansException"/> Orleans wraps storage errors in).
/// </summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBSiloTests(DynaliteFixture fixture)
{
    private readonly string serviceId = "payapi-dynamodb-" + Guid.NewGuid().ToString("N");
    private readonly string tablePrefix = PayApi.Testing.Dynalite.NewTablePrefix();

    [Fact]
    public async Task Tables_are_created_at_start_and_state_and_reminders_survive_a_cluster_restart()
    {
        var cluster = await StartClusterAsync();
        try
        {
            var options = fixture.Server.Options(tablePrefix);
            using var client = DynamoDBClientFactory.Create(options);
            foreach (var table in new[] { options.GrainStateTable, options.RemindersTable })
            {
                var described = await client.DescribeTableAsync(new DescribeTableRequest { TableName = table });
                Assert.Equal("ACTIVE", described.Table.TableStatus.Value);
            }

            var grain = cluster.Client.GetGrain<IDynamoDBSiloGrain>("acct-1");
            await grain.Save(42, "cookie-jar");
            await grain.RegisterReminder("refresh");
            Assert.Equal(["refresh"], await grain.ReminderNames());
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        var restarted = await StartClusterAsync();
        try
        {
            var grain = restarted.Client.GetGrain<IDynamoDBSiloGrain>("acct-1");
            Assert.Equal((42, "cookie-jar"), await grain.Load());
            Assert.Equal(["refresh"], await grain.ReminderNames());
            Assert.Equal((0, string.Empty), await restarted.Client.GetGrain<IDynamoDBSiloGrain>("never-written").Load());
        }
        finally
        {
            await restarted.StopAllSilosAsync();
            await restarted.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_oversized_state_reaches_the_caller_with_its_own_error_inside_and_the_stored_state_stays()
    {
        var cluster = await StartClusterAsync();
        try
        {
            var grain = cluster.Client.GetGrain<IDynamoDBSiloGrain>("acct-big");
            await grain.Save(1, "small");

            // Orleans' state bridge wraps every storage exception that is not an OrleansException in one; ours
            // travels inside it, with its fields, to the caller.
            var wrapped = await Assert.ThrowsAsync<OrleansException>(() => grain.SaveBlob(500 * 1024));
            var error = Assert.IsType<GrainStateTooLargeException>(wrapped.InnerException);

            Assert.Contains("acct-big", error.GrainId);
            Assert.Equal("secret", error.StateName);
            Assert.Equal(DynamoDBGrainStorage.MaxItemBytes, error.Limit);
            Assert.Contains("acct-big", error.Message);
            Assert.Equal((1, "small"), await grain.Load());
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private async Task<InProcessTestCluster> StartClusterAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        var serviceUrl = fixture.Server.ServiceUrl;
        var prefix = tablePrefix;
        void Configure(DynamoDBOptions o)
        {
            o.ServiceUrl = serviceUrl;
            o.TablePrefix = prefix;
            o.MaxErrorRetry = 2;
            o.RequestTimeout = TimeSpan.FromSeconds(3);
        }

        builder.ConfigureSilo((_, silo) => silo
            .AddDynamoDBGrainStorageAsDefault(Configure)
            .AddDynamoDBGrainStorage(DynamoDBSiloGrain.NamedStorage)
            .UseDynamoDBReminderService());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
