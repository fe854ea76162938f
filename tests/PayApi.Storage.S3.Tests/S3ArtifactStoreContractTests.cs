using PayApi.Scraping;
using PayApi.Scraping.Tests;
using Xunit;

namespace PayApi.Storage.S3.Tests;

/// <summary>The shared artifact store contract, run against S3 (a real s3rver), each test in a bucket of its own.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3ArtifactStoreContractTests : ArtifactStoreContractTests
{
    private readonly S3rverFixture _s3;

    public S3ArtifactStoreContractTests(S3rverFixture s3) => _s3 = s3;

    protected override async Task<IArtifactStore> NewStoreAsync()
    {
        var options = await _s3.NewBucketAsync();
        return new S3ArtifactStore(new S3Objects(_s3.Client, options, options.KeyPrefix));
    }
}
