using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PayApi.Storage.DynamoDB;
using Xunit;

namespace PayApi.ProviderData.Tests;

internal static class DynamoDBChunkStores
{
    public static DynamoDBChunkStore Create(DynaliteFixture fixture, IChunkObjectStore? objects)
    {
        var options = fixture.Server.Options();
        var client = DynamoDBClientFactory.Create(options);
        var tables = new DynamoDBTables(client, options, NullLogger<DynamoDBTables>.Instance);
        return new DynamoDBChunkStore(client, Options.Create(options), tables, NullLogger<DynamoDBChunkStore>.Instance, objects);
    }
}

[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBChunkStoreTests(DynaliteFixture fixture) : ChunkStoreContractTests
{
    protected override Task<IChunkStore> CreateStoreAsync() => Task.FromResult<IChunkStore>(DynamoDBChunkStores.Create(fixture, null));
}
