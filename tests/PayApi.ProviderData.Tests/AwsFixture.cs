using PayApi.Testing;
using Xunit;

namespace PayApi.ProviderData.Tests;

/// <summary>One dynalite and one s3rver for the collection; each test takes its own table prefix and bucket.</summary>
public sealed class AwsFixture : IAsyncLifetime
{
    public Dynalite Dynamo { get; private set; } = null!;

    public S3rver S3 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dynamo = Dynalite.StartAsync();
        var s3 = S3rver.StartAsync();
        Dynamo = await dynamo;
        S3 = await s3;
    }

    public async Task DisposeAsync()
    {
        await Dynamo.DisposeAsync();
        await S3.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AwsCollection : ICollectionFixture<AwsFixture>
{
    public const string Name = "dynalite and s3rver";
}
