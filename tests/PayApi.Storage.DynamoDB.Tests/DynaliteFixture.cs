using Amazon.DynamoDBv2;
using Microsoft.Extensions.Logging.Abstractions;
using PayApi.Testing;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>One dynalite for the whole test assembly; every test makes its own tables under a fresh prefix.</summary>
public sealed class DynaliteFixture : IAsyncLifetime
{
    private Dynalite? _server;

    public Dynalite Server => _server ?? throw new InvalidOperationException("dynalite has not started.");

    public async Task InitializeAsync() => _server = await Dynalite.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Options with a fresh table prefix, and a real SDK client for them.</summary>
    public (DynamoDBOptions Options, IAmazonDynamoDB Client) NewTables()
    {
        var options = Server.Options();
        return (options, DynamoDBClientFactory.Create(options));
    }

    public DynamoDBTables Tables(IAmazonDynamoDB client, DynamoDBOptions options) =>
        new(client, options, NullLogger<DynamoDBTables>.Instance);
}

[CollectionDefinition(Name)]
public sealed class DynaliteCollection : ICollectionFixture<DynaliteFixture>
{
    public const string Name = "dynalite";
}
