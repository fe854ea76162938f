using Microsoft.Extensions.Options;
using Orleans.Storage;
using PayApi.Storage.Conformance;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>Runs the shared grain storage contract against DynamoDB (dynalite), each test on a fresh table.</summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBGrainStorageConformanceTests(DynaliteFixture fixture) : GrainStorageConformanceTests
{
    protected override async Task<IGrainStorage> CreateStorageAsync(ConformanceServices services)
    {
        var (options, client) = fixture.NewTables();
        var storage = new DynamoDBGrainStorage(
            "conformance",
            new DynamoDBGrainStorageOptions { GrainStorageSerializer = services.GrainStorageSerializer },
            client,
            Options.Create(options),
            fixture.Tables(client, options),
            services.ClusterOptions,
            services.ActivatorProvider,
            services.Logger<DynamoDBGrainStorage>());
        await storage.InitializeAsync(CancellationToken.None);
        return storage;
    }
}
