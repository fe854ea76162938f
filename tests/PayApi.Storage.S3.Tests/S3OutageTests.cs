using System.Diagnostics;
using PayApi.Testing;
using Xunit;

namespace PayApi.Storage.S3.Tests;

/// <summary>An s3rver of its own that crashes and comes back: calls fail fast as an outage, then work again.</summary>
public sealed class S3OutageTests : IAsyncLifetime
{
    private S3rver _server = null!;

    public async Task InitializeAsync() => _server = await S3rver.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_stopped_server_is_an_outage_within_seconds_and_a_restart_heals_it()
    {
        var options = S3rverFixture.Options(_server, S3rver.NewBucketName());
        using var client = S3ClientFactory.Create(options);
        var objects = new S3Objects(client, options, "artifacts/");
        await objects.EnsureBucketAsync();
        await objects.PutAsync("before", new byte[] { 7 });

        await _server.StopAsync();
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<S3UnavailableException>(() => objects.GetAsync("before"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the outage took {clock.Elapsed} to surface");
        Assert.IsAssignableFrom<Orleans.Runtime.OrleansException>(e);
        Assert.Contains(options.Bucket, e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<S3UnavailableException>(() => objects.PutAsync("during", new byte[] { 1 }));
        await Assert.ThrowsAsync<S3UnavailableException>(() => objects.ListAsync(string.Empty));

        await _server.RestartAsync();
        Assert.Equal([7], await objects.GetAsync("before"));
        await objects.PutAsync("after", new byte[] { 8 });
        Assert.Equal(["after", "before"], (await objects.ListAsync(string.Empty)).Select(o => o.Key));
    }
}
