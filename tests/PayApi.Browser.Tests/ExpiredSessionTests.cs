using Xunit;
using static Microsoft.Playwright.Assertions;

namespace PayApi.Browser.Tests;

/// <summary>Connect links are 30-minute capabilities; here they last a few seconds.</summary>
public sealed class ExpiredSessionTests(ShortSessionFixture fixture) : IClassFixture<ShortSessionFixture>
{
    [Fact]
    public async Task Opening_an_expired_link_shows_that_it_has_expired()
    {
        var (_, _, connectUrl, expiresAt) = await ConnectPage.OpenSessionAsync(fixture.Api, new { end_user_id = "u-expired" });
        await WaitPastAsync(expiresAt);

        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        var response = await page.GotoAsync(connectUrl);
        Assert.Equal(200, response!.Status);

        await Expect(page.Locator("#final")).ToBeVisibleAsync();
        await Expect(page.Locator("#final-heading")).ToHaveTextAsync("This link has expired");
        await Expect(page.Locator("#final-text")).ToContainTextAsync("start again");
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#picker")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Submitting_after_the_link_expired_shows_that_it_has_expired()
    {
        var (_, _, connectUrl, expiresAt) = await ConnectPage.OpenSessionAsync(
            fixture.Api, new { end_user_id = "u-expiring", providers = new[] { "sandbox-stripe" } });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(connectUrl);
        var key = await ConnectPage.OpenApiKeyFieldAsync(page);
        Assert.True(DateTimeOffset.UtcNow < expiresAt, "The page loaded only after the session had expired; the test proves nothing.");

        await WaitPastAsync(expiresAt);
        await key.FillAsync($"rk_test_late{Guid.NewGuid():n}");
        await page.Locator("#credentials-submit").ClickAsync();

        await Expect(page.Locator("#final")).ToBeVisibleAsync();
        await Expect(page.Locator("#final-heading")).ToHaveTextAsync("This link has expired");
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#success")).ToBeHiddenAsync();
    }

    private static async Task WaitPastAsync(DateTimeOffset expiresAt)
    {
        var wait = expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500);
        Assert.True(wait < ShortSessionFixture.Lifetime + TimeSpan.FromSeconds(5), $"Unexpected expires_at {expiresAt:O}.");
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
