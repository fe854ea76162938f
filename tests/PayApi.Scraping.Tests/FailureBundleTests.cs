using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using PayApi.Contracts;
using PayApi.Vault;

namespace PayApi.Scraping.Tests;

public sealed class FailureBundleTests : IAsyncLifetime
{
    private const string Canary = "CANARY-pw-7f3e9a";
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly EncryptionContext _owner = new("cli_owner", "con_owner");
    private TestSite _site = null!;
    private BrowserPool _browsers = null!;
    private LocalKeyring _keyring = null!;
    private LocalArtifactStore _artifacts = null!;
    private FailureBundleStore _bundles = null!;

    public async Task InitializeAsync()
    {
        _site = await TestSite.StartAsync();
        _browsers = Pools.Browser();
        _keyring = new LocalKeyring(Options.Create(new VaultOptions { DataDir = _dir.Path }), NullLogger<LocalKeyring>.Instance, TimeProvider.System);
        _artifacts = new LocalArtifactStore(Path.Combine(_dir.Path, "artifacts"), _time);
        _bundles = new FailureBundleStore(_keyring, _artifacts, _time, NullLogger<FailureBundleStore>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _browsers.DisposeAsync();
        await _site.DisposeAsync();
        _keyring.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_captured_bundle_is_encrypted_redacted_and_opens_for_its_owner_only()
    {
        var (id, pageAfter) = await CaptureLoginPageAsync(_owner);

        // The page itself was scrubbed before the screenshot, which is what keeps the PNG clean.
        Assert.Equal(string.Empty, pageAfter.Password);
        Assert.DoesNotContain(Canary, pageAfter.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, pageAfter.Comment, StringComparison.Ordinal);
        Assert.Equal(string.Empty, pageAfter.Otp);

        var artifact = Assert.Single(await _artifacts.ListAsync("bundles/"));
        Assert.Equal($"bundles/{_owner.ConnectionId}/{id}.bundle", artifact.Key);
        var stored = (await _artifacts.GetAsync(artifact.Key))!;
        Assert.Equal(-1, stored.AsSpan().IndexOf(PngMagic));
        // Base64 of the PNG signature; a 3-letter "PNG" would turn up by chance in this much base64 ciphertext.
        Assert.Equal(-1, stored.AsSpan().IndexOf("iVBORw0KGgo"u8));
        var storedText = Encoding.UTF8.GetString(stored);
        Assert.DoesNotContain("<html", storedText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sandbox Bank", storedText, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, storedText, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary))[..12], storedText, StringComparison.Ordinal);

        var bundle = await _bundles.OpenAsync(_owner, id);
        Assert.Equal(id, bundle.Id);
        Assert.True(bundle.ScreenshotPng.AsSpan().StartsWith(PngMagic), "the screenshot is not a PNG");
        Assert.True(bundle.ScreenshotPng.Length > 1000);
        Assert.Contains("Sandbox Bank", bundle.Html, StringComparison.Ordinal);
        Assert.Contains("[redacted]", bundle.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, bundle.Html, StringComparison.Ordinal);
        Assert.Equal(_site.Url("/login").ToString(), bundle.Url);
        Assert.Equal("unexpected page after [redacted]", bundle.Reason);
        Assert.Equal(_time.GetUtcNow(), bundle.CreatedAt);

        var info = Assert.Single(await _bundles.ListAsync(_owner.ConnectionId));
        Assert.Equal((id, _time.GetUtcNow(), "unexpected page after [redacted]", stored.LongLength), (info.Id, info.CreatedAt, info.Reason, info.Size));
    }

    [Fact]
    public async Task Another_connection_or_client_cannot_open_a_bundle()
    {
        var (id, _) = await CaptureLoginPageAsync(_owner);
        var otherConnection = _owner with { ConnectionId = "con_other" };
        var otherClient = _owner with { ClientId = "cli_other" };

        var notFound = await Assert.ThrowsAsync<PayApiException>(() => _bundles.OpenAsync(otherConnection, id));
        Assert.Equal(ErrorCodes.NotFound, notFound.Code);
        await Assert.ThrowsAsync<CiphertextRejectedException>(() => _bundles.OpenAsync(otherClient, id));

        // Even a copy moved into the other connection's folder does not open there.
        var bytes = (await _artifacts.GetAsync($"bundles/{_owner.ConnectionId}/{id}.bundle"))!;
        await _artifacts.PutAsync($"bundles/{otherConnection.ConnectionId}/{id}.bundle", bytes);
        await Assert.ThrowsAsync<CiphertextRejectedException>(() => _bundles.OpenAsync(otherConnection, id));
        Assert.Empty(await _bundles.ListAsync("con_nobody"));
    }

    [Fact]
    public async Task The_sweep_deletes_bundles_five_days_old_and_keeps_younger_ones()
    {
        var (old, _) = await CaptureLoginPageAsync(_owner);
        _time.Advance(TimeSpan.FromDays(1));
        var (young, _) = await CaptureLoginPageAsync(_owner);
        _time.Advance(TimeSpan.FromDays(4) - TimeSpan.FromMinutes(1));

        Assert.Equal(0, await _bundles.SweepAsync());
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _bundles.SweepAsync());

        var left = Assert.Single(await _bundles.ListAsync(_owner.ConnectionId));
        Assert.Equal(young, left.Id);
        await Assert.ThrowsAsync<PayApiException>(() => _bundles.OpenAsync(_owner, old));
        Assert.Equal(young, (await _bundles.OpenAsync(_owner, young)).Id);
    }

    [Fact]
    public async Task The_sweeper_service_deletes_a_bundle_on_its_own_once_five_days_have_passed()
    {
        var (id, _) = await CaptureLoginPageAsync(_owner);
        var options = Options.Create(new ScraperOptions { FailureBundleSweepPeriod = TimeSpan.FromHours(1) });
        using var sweeper = new FailureBundleSweeper(_bundles, options, _time, NullLogger<FailureBundleSweeper>.Instance);
        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            // The service's timer ticks as the test clock moves; at 4.5 days the bundle is not old enough to go.
            for (var hour = 0; hour < (5 * 24) - 12; hour += 12)
            {
                _time.Advance(TimeSpan.FromHours(12));
            }

            await Task.Delay(200);
            Assert.Equal(id, Assert.Single(await _bundles.ListAsync(_owner.ConnectionId)).Id);

            _time.Advance(TimeSpan.FromHours(12)); // past 5 days: the next tick deletes it
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while ((await _bundles.ListAsync(_owner.ConnectionId)).Count > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the sweeper did not delete the expired bundle");
                await Task.Delay(50);
            }
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Disconnecting_deletes_every_bundle_of_the_connection_only()
    {
        await CaptureLoginPageAsync(_owner);
        await CaptureLoginPageAsync(_owner);
        var other = _owner with { ConnectionId = "con_keep" };
        await CaptureLoginPageAsync(other);

        Assert.Equal(2, await _bundles.DeleteForConnectionAsync(_owner.ConnectionId));

        Assert.Empty(await _bundles.ListAsync(_owner.ConnectionId));
        Assert.Single(await _bundles.ListAsync(other.ConnectionId));
    }

    [Fact]
    public void Captured_html_is_redacted_even_where_the_page_script_did_not_run()
    {
        const string html = """<form><input type="password" name="pw" value="hunter2"><input name="api_key" value='k-123'><input name="q" value="CANARY&amp;x"></form><p>CANARY&amp;x and CANARY%26x</p>""";

        var redacted = FailureBundleRedactor.RedactHtml(html, FailureBundleRedactor.Normalize(["CANARY&x", string.Empty]));

        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("k-123", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", redacted, StringComparison.Ordinal);
        Assert.Equal("https://bank.example/a", FailureBundleRedactor.RedactUrl("https://bank.example/a?token=abc#x", []));
    }

    private async Task<(string Id, PageState After)> CaptureLoginPageAsync(EncryptionContext owner) =>
        await _browsers.RunAsync(new BrowserJob(null, []), async (context, ct) =>
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(_site.Url($"/login?session={Canary}").ToString());
            await page.FillAsync("#user", "alice");
            await page.FillAsync("#pw", Canary);
            await page.FillAsync("#otp", "123456");
            await page.FillAsync("#comment", $"my password is {Canary}");
            await page.EvaluateAsync(
                "c => { const p = document.getElementById('visible'); p.textContent = 'Welcome ' + c; p.setAttribute('data-hint', c); }",
                Canary);
            await page.FocusAsync("#pw");

            var id = await _bundles.CaptureAsync(page, owner, [Canary, string.Empty], $"unexpected page after {Canary}", ct);
            return (id, await ReadStateAsync(page));
        }, CancellationToken.None);

    private static async Task<PageState> ReadStateAsync(IPage page) => new(
        await page.InputValueAsync("#pw"),
        await page.InputValueAsync("#otp"),
        await page.InputValueAsync("#comment"),
        await page.EvaluateAsync<string>("() => document.documentElement.outerHTML + document.body.innerText"));

    private sealed record PageState(string Password, string Otp, string Comment, string Text);
}
