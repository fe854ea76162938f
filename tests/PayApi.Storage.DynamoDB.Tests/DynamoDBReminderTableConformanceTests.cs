using Microsoft.Extensions.Options;
using Orleans;
using PayApi.Storage.Conformance;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>Runs the shared reminder table contract against DynamoDB (dynalite), each test on a fresh table.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBReminderTableConformanceTests(DynaliteFixture fixture) : ReminderTableConformanceTests
{
    protected override async Task<IReminderTable> CreateTableAsync(ConformanceServices services)
    {
        var (options, client) = fixture.NewTables();
        var table = new DynamoDBReminderTable(
            client,
            Options.Create(options),
            fixture.Tables(client, options),
            services.ClusterOptions,
            services.Logger<DynamoDBReminderTable>());
        await table.StartAsync();
        return table;
    }
}
