using Amazon.S3;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PayApi.Storage.DynamoDB;
using PayApi.Storage.S3;
using PayApi.Testing;
using Xunit;

namespace PayApi.ProviderData.Tests;

/// <summary>The AWS layout: chunks as DynamoDB items on dynalite, those over the inline limit as objects on s3rver.</summary>
internal sealed class AwsChunkStore(AwsFixture fixture) : IDisposable
{
    private readonly List<IDisposable> _clients = [];

    public string Bucket { get; } = S3rver.NewBucketName();

    public async Task<DynamoDBChunkStore> CreateAsync(bool withObjects = true, int inlineLimit = 64 * 1024)
    {
        var options = fixture.Dynamo.Options();
        options.InlineChunkLimit = inlineLimit;
        var dynamo = DynamoDBClientFactory.Create(options);
        _clients.Add(dynamo);
        IChunkObjectStore? objects = null;
        if (withObjects)
        {
            var s3Options = new S3Options { ServiceUrl = fixture.S3.ServiceUrl, Bucket = Bucket, MaxErrorRetry = 1, RequestTimeout = TimeSpan.FromSeconds(3) };
            var s3 = S3ClientFactory.Create(s3Options);
            _clients.Add(s3);
            var bucket = new S3Objects(s3, s3Options);
            await bucket.EnsureBucketAsync();
            objects = new S3ChunkObjectStore(bucket);
        }

        var tables = new DynamoDBTables(dynamo, options, NullLogger<DynamoDBTables>.Instance);
        return new DynamoDBChunkStore(dynamo, Options.Create(options), tables, NullLogger<DynamoDBChunkStore>.Instance, objects);
    }

    /// <summary>The bucket's folder in s3rver's files, where objects' bytes lie.</summary>
    public string BucketFolder => Path.GetDirectoryName(fixture.S3.ObjectFile(Bucket, "x"))!;

    public bool HasObject(string key) => File.Exists(fixture.S3.ObjectFile(Bucket, key));

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}

[Collection(AwsCollection.Name)]
public sealed class DynamoDBChunkStoreTests(AwsFixture fixture) : ChunkStoreContractTests
{
    private readonly AwsChunkStore _aws = new(fixture);

    protected override async Task<IChunkStore> CreateStoreAsync() => await _aws.CreateAsync();

    public override Task DisposeAsync()
    {
        _aws.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Small_chunks_are_items_and_large_ones_objects_and_delete_all_clears_both_even_orphans()
    {
        await Store.PutAsync("conn_a", "head@1", "small", default);
        await Store.PutAsync("conn_a", "transactions.0@1", new string('q', 100_000), default);
        Assert.False(_aws.HasObject("provider-data/conn_a/head@1"));
        Assert.True(_aws.HasObject("provider-data/conn_a/transactions.0@1"));

        // An object whose item was never written (a crash between the two writes) is removed by delete-all too.
        var objects = new S3ChunkObjectStore(new S3Objects(
            S3ClientFactory.Create(new S3Options { ServiceUrl = fixture.S3.ServiceUrl, Bucket = _aws.Bucket }), new S3Options { Bucket = _aws.Bucket }));
        await objects.PutAsync(DynamoDBChunkStore.ObjectKeyOf("conn_a", "transactions.9@1"), new byte[100], default);
        Assert.True(_aws.HasObject("provider-data/conn_a/transactions.9@1"));

        Assert.Equal(2, await Store.DeleteAllAsync("conn_a", default));
        Assert.Empty(await Store.ListAsync("conn_a", default));
        Assert.False(_aws.HasObject("provider-data/conn_a/transactions.0@1"));
        Assert.False(_aws.HasObject("provider-data/conn_a/transactions.9@1"));
    }

    [Fact]
    public async Task Without_an_object_store_chunks_are_items_up_to_what_an_item_holds_and_beyond_that_the_setting_is_named()
    {
        var itemsOnly = await _aws.CreateAsync(withObjects: false);
        await itemsOnly.PutAsync("conn_a", "head@1", new string('x', 200_000), default);
        Assert.Equal(200_000, (await itemsOnly.GetAsync("conn_a", "head@1", default))!.Length);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => itemsOnly.PutAsync("conn_a", "head@2", new string('x', 360_000), default));
        Assert.Contains("PayApi:Artifacts:Provider", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deletes_dynamodb_hands_back_unprocessed_are_sent_again_until_done()
    {
        for (var i = 0; i < 30; i++)
        {
            await Store.PutAsync("conn_a", $"transactions.{i}@1", "c" + i, default);
        }

        var (_, faultedBefore, _) = await fixture.Dynamo.StatsAsync();
        await fixture.Dynamo.SetFaultAsync("unprocessed", 3, "BatchWriteItem");
        try
        {
            Assert.Equal(30, await Store.DeleteAllAsync("conn_a", default));
        }
        finally
        {
            await fixture.Dynamo.ClearFaultsAsync();
        }

        Assert.Empty(await Store.ListAsync("conn_a", default));
        Assert.Equal(faultedBefore + 3, (await fixture.Dynamo.StatsAsync()).Faulted);
    }

    [Fact]
    public async Task An_outage_is_a_dependency_failure_not_missing_data()
    {
        await Store.PutAsync("conn_a", "head@1", "small", default);
        await fixture.Dynamo.SetFaultAsync("server_error", -1);
        try
        {
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => Store.GetAsync("conn_a", "head@1", default));
        }
        finally
        {
            await fixture.Dynamo.ClearFaultsAsync();
        }

        Assert.Equal("small", await Store.GetAsync("conn_a", "head@1", default));
    }
}

[Collection(AwsCollection.Name)]
public sealed class DynamoDBConnectionDataStoreTests(AwsFixture fixture) : ConnectionDataStoreTests
{
    private readonly AwsChunkStore _aws = new(fixture);

    protected override async Task<IChunkStore> CreateStoreAsync() => await _aws.CreateAsync();

    protected override IEnumerable<string> RawFolders() => [fixture.Dynamo.DataPath, _aws.BucketFolder];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _aws.Dispose();
    }
}
