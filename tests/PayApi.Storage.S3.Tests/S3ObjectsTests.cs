using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using PayApi.Testing;
using Xunit;

namespace PayApi.Storage.S3.Tests;

[Collection(S3rverCollection.Name)]
public sealed class S3ObjectsTests
{
    private readonly S3rverFixture _s3;

    public S3ObjectsTests(S3rverFixture s3) => _s3 = s3;

    [Fact]
    public async Task Put_get_and_delete_say_honestly_what_was_there()
    {
        var objects = new S3Objects(_s3.Client, await _s3.NewBucketAsync(), "chunks/");
        await objects.PutAsync("a/1", Encoding.UTF8.GetBytes("one"));

        Assert.Equal("one", Encoding.UTF8.GetString((await objects.GetAsync("a/1"))!));
        Assert.Null(await objects.GetAsync("a/2"));
        Assert.True(await objects.DeleteAsync("a/1"));
        Assert.False(await objects.DeleteAsync("a/1"));
        Assert.False(await objects.DeleteAsync("never"));
        Assert.Null(await objects.GetAsync("a/1"));
    }

    [Fact]
    public async Task Two_prefixes_in_one_bucket_do_not_see_each_other()
    {
        var options = await _s3.NewBucketAsync();
        var chunks = new S3Objects(_s3.Client, options, "chunks/");
        var artifacts = new S3Objects(_s3.Client, options, "artifacts/");
        await chunks.PutAsync("x", new byte[] { 1 });
        await artifacts.PutAsync("x", new byte[] { 2 });

        Assert.Equal([1], await chunks.GetAsync("x"));
        Assert.Equal(["x"], (await artifacts.ListAsync(string.Empty)).Select(o => o.Key));
        Assert.True(await artifacts.DeleteAsync("x"));
        Assert.Equal([1], await chunks.GetAsync("x"));
    }

    [Fact]
    public async Task Listing_pages_past_a_thousand_objects_and_delete_many_batches_them()
    {
        var objects = new S3Objects(_s3.Client, await _s3.NewBucketAsync(), "p/");
        const int Count = 1234;
        var keys = Enumerable.Range(0, Count).Select(i => $"many/{i:D5}").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) =>
            await objects.PutAsync(key, Encoding.UTF8.GetBytes(key), ct));
        await objects.PutAsync("few/1", new byte[] { 1, 2 });

        var listed = await objects.ListAsync("many/");
        Assert.Equal(keys, listed.Select(o => o.Key));
        Assert.All(listed, o => Assert.Equal(10, o.Size));
        Assert.Equal(Count + 1, (await objects.ListAsync(string.Empty)).Count);

        var result = await objects.DeleteManyAsync([.. keys, "many/never-existed"]);
        Assert.True(result.Succeeded, string.Join(", ", result.Errors));
        Assert.Equal(Count + 1, result.Deleted.Count);
        Assert.Empty(await objects.ListAsync("many/"));
        var left = Assert.Single(await objects.ListAsync(string.Empty));
        Assert.Equal(("few/1", 2L), (left.Key, left.Size));
    }

    [Fact]
    public async Task Every_put_asks_for_aes256_server_side_encryption()
    {
        var options = await _s3.NewBucketAsync();
        var objects = new S3Objects(_s3.Client, options, "p/");
        await objects.PutAsync("a", new byte[] { 1 });
        await objects.PutAsync("b/c", new byte[] { 2 });

        // server.js answers back the encryption a put asked for, as S3 does (s3rver alone drops the header).
        var head = await _s3.Client.GetObjectMetadataAsync(options.Bucket, "p/a");
        Assert.Equal(ServerSideEncryptionMethod.AES256, head.ServerSideEncryptionMethod);
        var log = await File.ReadAllLinesAsync(Path.Combine(_s3.Server.DataPath, "sse.log"));
        Assert.Contains(log, l => l.Contains($"\"{options.Bucket}/p/a\"", StringComparison.Ordinal) && l.Contains("\"AES256\"", StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains($"\"{options.Bucket}/p/b/c\"", StringComparison.Ordinal) && l.Contains("\"AES256\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kms_encryption_names_the_configured_key()
    {
        var options = await _s3.NewBucketAsync(o =>
        {
            o.ServerSideEncryption = S3Options.AwsKms;
            o.KmsKeyId = "arn:aws:kms:us-east-1:111122223333:key/payapi-test";
        });
        await new S3Objects(_s3.Client, options).PutAsync("k", new byte[] { 1 });

        var head = await _s3.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = options.Bucket, Key = "k" });
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, head.ServerSideEncryptionMethod);
        Assert.Equal(options.KmsKeyId, head.ServerSideEncryptionKeyManagementServiceKeyId);
    }

    [Fact]
    public async Task A_missing_bucket_is_a_refusal_not_an_outage()
    {
        var options = S3rverFixture.Options(_s3.Server, S3rver.NewBucketName());
        var objects = new S3Objects(_s3.Client, options);

        var e = await Assert.ThrowsAsync<S3BucketAccessException>(() => objects.ListAsync(string.Empty));
        Assert.Equal("NoSuchBucket", e.ErrorCode);
        Assert.Contains(options.Bucket, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<S3BucketAccessException>(() => objects.PutAsync("a", new byte[] { 1 }));
    }

    [Fact]
    public async Task Ensure_bucket_creates_once()
    {
        var options = S3rverFixture.Options(_s3.Server, S3rver.NewBucketName());
        var objects = new S3Objects(_s3.Client, options);
        Assert.True(await objects.EnsureBucketAsync());
        Assert.False(await objects.EnsureBucketAsync());
        Assert.True(Directory.Exists(Path.Combine(_s3.Server.DataPath, "objects", options.Bucket)));
    }
}
