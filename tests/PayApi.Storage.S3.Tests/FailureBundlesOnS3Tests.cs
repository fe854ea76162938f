using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PayApi.Scraping;
using PayApi.Vault;
using Xunit;

namespace PayApi.Storage.S3.Tests;

/// <summary>
/// Failure bundles captured from a real Chromium page and stored through <see cref="S3ArtifactStore"/> in a real
/// s3rver: what reaches the bucket is sealed, disconnect and the sweep delete the right objects.
/// </summary>
[Collection(S3rverCollection.Name)]
public sealed class FailureBundlesOnS3Tests : IAsyncLifetime
{
    private const string Canary = "CANARY-s3-5d1c77";

    private readonly S3rverFixture _s3;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly EncryptionContext _owner = new("cli_owner", "con_owner");
    private readonly string _vaultDir = Path.Combine(Path.GetTempPath(), "payapi-s3-tests", Guid.NewGuid().ToString("N"));
    private BrowserPool _browsers = null!;
    private LocalKeyring _keyring = null!;
    private S3Options _options = null!;
    private FailureBundleStore _bundles = null!;

    public FailureBundlesOnS3Tests(S3rverFixture s3) => _s3 = s3;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_vaultDir);
        var chromium = Environment.GetEnvironmentVariable("PayApi__Scraper__ChromiumPath") is { Length: > 0 } path ? path : null;
        _browsers = new BrowserPool(Options.Create(new ScraperOptions { ChromiumPath = chromium }), NullLogger<BrowserPool>.Instance);
        _keyring = new LocalKeyring(Options.Create(new VaultOptions { DataDir = _vaultDir }), NullLogger<LocalKeyring>.Instance, TimeProvider.System);
        _options = await _s3.NewBucketAsync();
        var store = new S3ArtifactStore(new S3Objects(_s3.Client, _options, _options.KeyPrefix));
        _bundles = new FailureBundleStore(_keyring, store, _time, NullLogger<FailureBundleStore>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _browsers.DisposeAsync();
        _keyring.Dispose();
        Directory.Delete(_vaultDir, recursive: true);
    }

    [Fact]
    public async Task The_bucket_never_holds_the_pages_plaintext_yet_the_owner_opens_the_bundle()
    {
        var id = await CaptureAsync(_owner);

        var bucketFolder = Path.Combine(_s3.Server.DataPath, "objects", _options.Bucket);
        var files = Directory.GetFiles(bucketFolder, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith($"{id}.bundle._S3rver_object", StringComparison.Ordinal));
        var canary = Encoding.UTF8.GetBytes(Canary);
        var canaryBase64 = Encoding.UTF8.GetBytes(Convert.ToBase64String(canary)[..12]);
        foreach (var file in Directory.GetFiles(_s3.Server.DataPath, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(canary) < 0, $"{file} holds the canary");
            Assert.True(bytes.AsSpan().IndexOf(canaryBase64) < 0, $"{file} holds the canary in base64");
            Assert.True(bytes.AsSpan().IndexOf("Sandbox Bank"u8) < 0, $"{file} holds the page's text");
        }

        var bundle = await _bundles.OpenAsync(_owner, id);
        Assert.Contains("Sandbox Bank", bundle.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, bundle.Html, StringComparison.Ordinal);
        Assert.Equal(id, Assert.Single(await _bundles.ListAsync(_owner.ConnectionId)).Id);
    }

    [Fact]
    public async Task Disconnecting_deletes_exactly_that_connections_bundles()
    {
        await CaptureAsync(_owner);
        await CaptureAsync(_owner);
        // A connection whose id starts with the other's must keep its bundles.
        var keep = await CaptureAsync(_owner with { ConnectionId = "con_owner2" });

        Assert.Equal(2, await _bundles.DeleteForConnectionAsync(_owner.ConnectionId));

        Assert.Empty(await _bundles.ListAsync(_owner.ConnectionId));
        Assert.Equal(keep, Assert.Single(await _bundles.ListAsync("con_owner2")).Id);
        Assert.Equal(0, await _bundles.DeleteForConnectionAsync(_owner.ConnectionId));
    }

    [Fact]
    public async Task The_sweep_deletes_bundles_older_than_five_days_and_keeps_newer_ones()
    {
        var old = await CaptureAsync(_owner);
        _time.Advance(FailureBundleStore.Retention + TimeSpan.FromMinutes(1));
        var young = await CaptureAsync(_owner);
        // S3's LastModified is s3rver's clock, which a test cannot move; s3rver reports the object file's time, so
        // the bundle written "after" the advance gets the test clock's time there.
        File.SetLastWriteTimeUtc(_s3.Server.ObjectFile(_options.Bucket, $"{_options.KeyPrefix}bundles/{_owner.ConnectionId}/{young}.bundle"), _time.GetUtcNow().UtcDateTime);

        Assert.Equal(1, await _bundles.SweepAsync());
        Assert.Equal(young, Assert.Single(await _bundles.ListAsync(_owner.ConnectionId)).Id);
        Assert.Equal(0, await _bundles.SweepAsync());

        _time.Advance(FailureBundleStore.Retention - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await _bundles.SweepAsync());
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _bundles.SweepAsync());
        Assert.Empty(await _bundles.ListAsync(_owner.ConnectionId));
    }

    private Task<string> CaptureAsync(EncryptionContext owner) =>
        _browsers.RunAsync(new BrowserJob(null, []), async (context, ct) =>
        {
            var page = await context.NewPageAsync();
            await page.SetContentAsync(
                $"<html><body><h1>Sandbox Bank</h1><p id=\"visible\">Welcome {Canary}</p>"
                + "<form><input id=\"user\" value=\"alice\"><input id=\"pw\" type=\"password\"></form></body></html>");
            await page.FillAsync("#pw", Canary);
            return await _bundles.CaptureAsync(page, owner, [Canary], $"login failed for {Canary}", ct);
        }, CancellationToken.None);
}
