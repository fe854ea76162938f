using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.Scraping;
using PayApi.Testing;
using Xunit;

namespace PayApi.Storage.S3.Tests;

[Collection(S3rverCollection.Name)]
public sealed class S3RegistrationTests
{
    private readonly S3rverFixture _s3;

    public S3RegistrationTests(S3rverFixture s3) => _s3 = s3;

    [Fact]
    public async Task The_s3_store_replaces_the_local_one_and_creates_its_bucket_at_start()
    {
        var bucket = S3rver.NewBucketName();
        await using var provider = Services(o =>
        {
            o.ServiceUrl = _s3.Server.ServiceUrl;
            o.Bucket = bucket;
            o.CreateBucket = true;
        });

        var store = Assert.IsType<S3ArtifactStore>(provider.GetRequiredService<IArtifactStore>());
        Assert.Single(_registered, d => d.ServiceType == typeof(IArtifactStore));
        Assert.Contains(_registered, d => d.ServiceType == typeof(IHostedService) && d.ImplementationFactory is not null);
        var creator = await StartCreatorAsync(provider);
        await creator.Settled.WaitAsync(TimeSpan.FromSeconds(30));
        await store.PutAsync("bundles/con_1/fb_a.bundle", new byte[] { 1 });
        Assert.True(File.Exists(_s3.Server.ObjectFile(bucket, "artifacts/bundles/con_1/fb_a.bundle")));
        await creator.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_unreachable_endpoint_at_start_is_logged_and_retried_not_thrown()
    {
        await using var provider = Services(o =>
        {
            o.ServiceUrl = $"http://127.0.0.1:{FreePorts.Take()}";
            o.Bucket = S3rver.NewBucketName();
            o.CreateBucket = true;
            o.MaxErrorRetry = 0;
            o.RequestTimeout = TimeSpan.FromSeconds(1);
        });

        var creator = await StartCreatorAsync(provider);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!_logs.Lines.Any(l => l.Contains("could not be checked or created", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "no retry was logged: " + _logs.All);
            await Task.Delay(50);
        }

        // One warning line naming the bucket, no stack trace; the service keeps trying rather than failing the host.
        Assert.DoesNotContain("   at ", _logs.All, StringComparison.Ordinal);
        Assert.False(creator.Settled.IsCompleted);
        await creator.StopAsync(CancellationToken.None);
        Assert.False(creator.Settled.IsCompleted);
    }

    [Fact]
    public void Invalid_options_are_refused_naming_their_settings()
    {
        var options = new S3Options { Bucket = "Not_A_Bucket", ServerSideEncryption = "none", KmsKeyId = "k", MaxErrorRetry = 99 };
        var problems = options.Problems().ToList();
        Assert.Contains(problems, p => p.StartsWith("PayApi:Artifacts:Bucket", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PayApi:S3:ServerSideEncryption", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PayApi:S3:KmsKeyId", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PayApi:S3:MaxErrorRetry", StringComparison.Ordinal));
        Assert.Empty(new S3Options { Bucket = "payapi-artifacts" }.Problems());

        using var provider = Services(o => o.Bucket = string.Empty);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<S3Options>>().Value);
    }

    private readonly CapturedLogs _logs = new();
    private IServiceCollection _registered = new ServiceCollection();

    private ServiceProvider Services(Action<S3Options> configure)
    {
        var services = _registered = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(_logs));
        services.AddPayApiScraping(_ => { }, Path.Combine(Path.GetTempPath(), "payapi-s3-registration"));
        services.AddS3ArtifactStore(configure);
        return services.BuildServiceProvider();
    }

    private static async Task<S3BucketCreator> StartCreatorAsync(IServiceProvider provider)
    {
        // Resolve only the creator: the scraping services' other hosted services need a keyring this test has not got.
        var creator = provider.GetRequiredService<S3BucketCreator>();
        await creator.StartAsync(CancellationToken.None);
        return creator;
    }
}
