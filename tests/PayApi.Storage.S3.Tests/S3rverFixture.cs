using Amazon.S3;
using PayApi.Testing;
using Xunit;

namespace PayApi.Storage.S3.Tests;

/// <summary>One s3rver and one SDK client for the collection; every test makes its own bucket.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private S3rver? _server;
    private IAmazonS3? _client;

    public S3rver Server => _server ?? throw new InvalidOperationException("s3rver has not started.");

    public IAmazonS3 Client => _client ?? throw new InvalidOperationException("s3rver has not started.");

    public async Task InitializeAsync()
    {
        _server = await S3rver.StartAsync();
        _client = S3ClientFactory.Create(Options(_server, "unused"));
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Options for a bucket of <paramref name="server"/>, with few, short retries so failures show fast.</summary>
    public static S3Options Options(S3rver server, string bucket) => new()
    {
        ServiceUrl = server.ServiceUrl,
        Bucket = bucket,
        MaxErrorRetry = 1,
        RequestTimeout = TimeSpan.FromSeconds(3),
    };

    /// <summary>A fresh, created bucket and its options.</summary>
    public async Task<S3Options> NewBucketAsync(Action<S3Options>? configure = null)
    {
        var options = Options(Server, S3rver.NewBucketName());
        configure?.Invoke(options);
        Assert.True(await new S3Objects(Client, options).EnsureBucketAsync());
        return options;
    }
}

[CollectionDefinition(Name)]
public sealed class S3rverCollection : ICollectionFixture<S3rverFixture>
{
    public const string Name = "s3rver";
}
