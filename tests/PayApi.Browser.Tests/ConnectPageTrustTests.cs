using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PayApi.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace PayApi.Browser.Tests;

/// <summary>
/// What makes the Connect page one an end-user can trust: it names the developer's app and what it will read before
/// asking for anything, validates on the field, shows progress and attempts left, speaks the user's language, and
/// passes an axe-core audit on every step.
/// </summary>
public sealed class ConnectPageTrustTests(ConnectPageFixture fixture) : IClassFixture<ConnectPageFixture>
{
    private const string StripeOnly = "sandbox-stripe";

    // A sandbox-bank login runs in the service's own Chromium; on a loaded two-core machine it can take a while.
    private static readonly LocatorAssertionsToBeVisibleOptions Slow = new() { Timeout = 120_000 };

    [Fact]
    public async Task The_page_names_the_app_from_the_client_as_text_even_when_the_name_holds_markup()
    {
        var api = fixture.Api;
        const string hostile = "Acme <script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>";
        var client = await api.CreateClientAsync("acme-internal");
        await PatchAsync(api, client.ClientId, new { display_name = hostile });
        var session = await api.OpenSessionAsync(client, new { end_user_id = "u-trust-name", providers = new[] { StripeOnly } });
        var sessionId = session.GetProperty("session_id").GetString()!;

        // The JSON the page reads names the app (the display name, not the internal name) and the attempts allowed.
        var view = await ConnectApiAsync(sessionId);
        Assert.Equal(hostile, view.GetProperty("client").GetProperty("name").GetString());
        Assert.Equal(5, view.GetProperty("attempts_remaining").GetInt32());
        Assert.Equal(5, view.GetProperty("max_attempts").GetInt32());
        Assert.False(view.GetProperty("client").TryGetProperty("client_id", out _), "The end-user's JSON carries the client id.");

        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(session.GetProperty("connect_url").GetString()!);
        var key = await ConnectPage.OpenApiKeyFieldAsync(page);

        // Who asks, for what, from where: before the key field, as plain text.
        var consent = page.Locator("#consent");
        await Expect(consent).ToBeVisibleAsync();
        await Expect(consent).ToHaveTextAsync($"{hostile} wants to read your balances, transactions and payouts from Sandbox Stripe.");
        Assert.Equal(0, await page.Locator("#consent *").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), "The app name ran as markup.");
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        var consentBox = (await consent.BoundingBoxAsync())!;
        var keyBox = (await key.BoundingBoxAsync())!;
        Assert.True(consentBox.Y + consentBox.Height <= keyBox.Y, "The app and what it reads are not shown above the key field.");
        Assert.True(await page.EvaluateAsync<bool>(
            "() => !!(document.getElementById('consent').compareDocumentPosition(document.querySelector('#credentials-form input')) & Node.DOCUMENT_POSITION_FOLLOWING)"));
        await Expect(page.Locator("#lead")).ToContainTextAsync($"never shown to {hostile}");

        // Without a display name the client's own name is shown; the picker asks the user to choose first.
        var (_, _, plainUrl, _) = await ConnectPage.OpenSessionAsync(api, new { end_user_id = "u-trust-plain" });
        await page.GotoAsync(plainUrl);
        await Expect(page.Locator("#picker")).ToBeVisibleAsync();
        await Expect(consent).ToHaveTextAsync(new Regex("^Browser tests wants to read your account data\\. Choose your provider"));
        await page.Locator("button[data-provider=\"sandbox-bank\"]").ClickAsync();
        await Expect(consent).ToContainTextAsync("from Sandbox Bank.");
    }

    [Fact]
    public async Task Empty_fields_get_their_message_on_the_field_with_focus_and_password_managers_are_served()
    {
        var (_, _, connectUrl, _) = await ConnectPage.OpenSessionAsync(fixture.Api, new { end_user_id = "u-trust-fields" });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        var (username, password) = await BankPage.OpenAsync(page, connectUrl);

        Assert.Equal("username", await username.GetAttributeAsync("autocomplete"));
        Assert.Equal("current-password", await password.GetAttributeAsync("autocomplete"));
        Assert.Equal("one-time-code", await page.Locator("#mfa-code").GetAttributeAsync("autocomplete"));

        // Both empty: each says so under itself, and focus goes to the first.
        await page.Locator("#credentials-submit").ClickAsync();
        await AssertFieldErrorAsync(page, username, "Username is required.");
        await AssertFieldErrorAsync(page, password, "Password is required.");
        await Expect(username).ToBeFocusedAsync();
        await Expect(page.Locator("#status")).ToBeEmptyAsync();

        // Typing clears that field's error; the other stays, and gets the focus on the next try.
        await username.FillAsync("user_good");
        Assert.Null(await username.GetAttributeAsync("aria-invalid"));
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(password).ToBeFocusedAsync();
        await AssertFieldErrorAsync(page, password, "Password is required.");
        Assert.Null(await username.GetAttributeAsync("aria-invalid"));

        // Nothing was sent: the session is still untouched.
        var sessionId = new Uri(connectUrl).AbsolutePath.Split('/')[^1];
        var view = await ConnectApiAsync(sessionId);
        Assert.Equal("pending", view.GetProperty("status").GetString());
        Assert.Equal(5, view.GetProperty("attempts_remaining").GetInt32());

        // Inputs are outlined at 3:1 or more against the card they sit on.
        foreach (var input in new[] { username, password })
        {
            var ratio = await input.EvaluateAsync<double>(ContrastScript);
            Assert.True(ratio >= 3, $"An input's border contrast is {ratio:0.00}:1, under 3:1.");
        }

        // The API key of Sandbox Stripe is not offered to password managers.
        await page.Locator("button[data-provider=\"sandbox-stripe\"]").ClickAsync();
        var key = page.Locator("#credentials-form input[name=\"api_key\"]");
        await Expect(key).ToBeVisibleAsync();
        Assert.Equal("off", await key.GetAttributeAsync("autocomplete"));
        await page.Locator("#credentials-submit").ClickAsync();
        await AssertFieldErrorAsync(page, key, "API key is required.");
        await Expect(key).ToBeFocusedAsync();
        var described = (await key.GetAttributeAsync("aria-describedby"))!.Split(' ');
        Assert.Contains("credentials-hint", described);
    }

    [Fact]
    public async Task Each_failed_attempt_says_how_many_are_left_and_the_last_says_plainly_they_ran_out()
    {
        var api = fixture.Api;
        var (_, sessionId, connectUrl, _) = await ConnectPage.OpenSessionAsync(api, new { end_user_id = "u-trust-attempts", providers = new[] { StripeOnly } });
        await using var browser = await fixture.NewPageAsync(Axe.Context(480));
        var page = browser.Page;
        await page.GotoAsync(connectUrl);
        var key = await ConnectPage.OpenApiKeyFieldAsync(page);
        var error = page.Locator("#error");
        var attempts = page.Locator("#error #attempts-left");

        for (var failed = 1; failed <= 4; failed++)
        {
            await key.FillAsync($"rk_test_invalid{Guid.NewGuid():n}");
            await page.Locator("#credentials-submit").ClickAsync();
            var left = 5 - failed;
            await Expect(attempts).ToHaveTextAsync(left == 1
                ? "You have 1 attempt left. If it fails too, this link stops working."
                : $"You have {left} attempts left.");
            await Expect(error).ToContainTextAsync("did not accept this key");
            await Expect(key).ToBeFocusedAsync();
            await Expect(key).ToHaveAttributeAsync("aria-invalid", "true");
            Assert.Contains("error", (await key.GetAttributeAsync("aria-describedby"))!.Split(' '));
            Assert.Equal(left, (await ConnectApiAsync(sessionId)).GetProperty("attempts_remaining").GetInt32());
        }

        await Axe.AssertNoSeriousViolationsAsync(page, "the form with one attempt left");

        await key.FillAsync($"rk_test_invalid{Guid.NewGuid():n}");
        await page.Locator("#credentials-submit").ClickAsync();
        var final = page.Locator("#final");
        await Expect(final).ToBeVisibleAsync();
        await Expect(final).ToBeFocusedAsync();
        await Expect(page.Locator("#final-text")).ToContainTextAsync("You\u2019ve used all 5 attempts to sign in, so this link no longer works.");
        await Expect(page.Locator("#final-text")).ToContainTextAsync("Go back to the app and start again to get a new link.");
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        var view = await ConnectApiAsync(sessionId);
        Assert.Equal("failed", view.GetProperty("status").GetString());
        Assert.Equal(0, view.GetProperty("attempts_remaining").GetInt32());
        await Axe.AssertNoSeriousViolationsAsync(page, "the end after the last attempt");
    }

    [Fact]
    public async Task The_page_speaks_German_when_the_browser_asks_for_it_and_English_otherwise()
    {
        var (_, _, connectUrl, _) = await ConnectPage.OpenSessionAsync(fixture.Api, new { end_user_id = "u-trust-de", providers = new[] { StripeOnly } });

        // The server picks the language from Accept-Language and says which it chose.
        foreach (var (accept, expected) in new[]
                 {
                     ("de-DE,de;q=0.9,en;q=0.8", "de"), ("fr-FR, de;q=0.5", "de"), ("en-GB,de;q=0.9", "en"), ("fr", "en"),
                     ("de;q=0, en;q=0.1", "en"), ("*", "en"), ("", "en"), ("DE-at", "de"), ("not a;;; header", "en"),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, connectUrl);
            if (accept.Length > 0)
            {
                request.Headers.TryAddWithoutValidation("Accept-Language", accept);
            }

            using var response = await fixture.Host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal([expected], response.Content.Headers.ContentLanguage);
            Assert.Contains("Accept-Language", response.Headers.Vary);
            Assert.NotNull(response.Headers.GetValues("Content-Security-Policy").Single());
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains($"<html lang=\"{expected}\">", html, StringComparison.Ordinal);
            Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        }

        await using var browser = await fixture.NewPageAsync(new() { ViewportSize = new() { Width = 480, Height = 800 }, Locale = "de-DE" });
        var page = browser.Page;
        var response2 = await page.GotoAsync(connectUrl);
        Assert.Equal("de", await response2!.HeaderValueAsync("content-language"));
        var key = await ConnectPage.OpenApiKeyFieldAsync(page);
        Assert.Equal("de", await page.Locator("html").GetAttributeAsync("lang"));
        await Expect(page).ToHaveTitleAsync("Konto verbinden");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Konto verbinden");
        await Expect(page.Locator("#consent")).ToHaveTextAsync("Browser tests möchte Ihre Kontostände, Umsätze und Auszahlungen von Sandbox Stripe lesen.");
        await Expect(page.Locator("#credentials-legend")).ToHaveTextAsync("Bei Sandbox Stripe anmelden");
        await Expect(page.Locator("#credentials-submit")).ToHaveTextAsync("Verbinden");

        await page.Locator("#credentials-submit").ClickAsync();
        await AssertFieldErrorAsync(page, key, "API key ist erforderlich.");

        await key.FillAsync($"rk_test_invalid{Guid.NewGuid():n}");
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(page.Locator("#error")).ToContainTextAsync("Sandbox Stripe hat diesen Schlüssel nicht akzeptiert.");
        await Expect(page.Locator("#attempts-left")).ToHaveTextAsync("Sie haben noch 4 Versuche.");

        await key.FillAsync($"rk_test_de{Guid.NewGuid():n}");
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(page.Locator("#success")).ToBeVisibleAsync();
        await Expect(page.Locator("#success-heading")).ToHaveTextAsync("Verbunden");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Verbunden.");
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task Every_step_passes_the_axe_core_audit(int width)
    {
        var (_, _, connectUrl, _) = await ConnectPage.OpenSessionAsync(fixture.Api, new { end_user_id = $"u-trust-axe-{width}" });
        await using var browser = await fixture.NewPageAsync(Axe.Context(width));
        var page = browser.Page;
        await page.GotoAsync(connectUrl);

        // The picker.
        await Expect(page.Locator("#picker")).ToBeVisibleAsync();
        await Expect(page.Locator("#consent")).ToBeVisibleAsync();
        await Axe.AssertNoSeriousViolationsAsync(page, $"the picker at {width} px");
        await AssertFitsAsync(page, width);

        // The form, then its field-level error.
        var key = await ConnectPage.OpenApiKeyFieldAsync(page);
        await Axe.AssertNoSeriousViolationsAsync(page, $"the form at {width} px");
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(key).ToHaveAttributeAsync("aria-invalid", "true");
        await Axe.AssertNoSeriousViolationsAsync(page, $"a field error at {width} px");

        // A refused key: the alert with the attempts left.
        await key.FillAsync($"rk_test_invalid{Guid.NewGuid():n}");
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(page.Locator("#attempts-left")).ToBeVisibleAsync();
        await Axe.AssertNoSeriousViolationsAsync(page, $"an error at {width} px");
        await AssertFitsAsync(page, width);

        // Sandbox Bank's one-time code step, with its own empty-field error.
        await page.Locator("button[data-provider=\"sandbox-bank\"]").ClickAsync();
        var username = page.Locator("#credentials-form input[name=\"username\"]");
        await Expect(username).ToBeEditableAsync();
        await username.FillAsync("user_mfa");
        await page.Locator("#credentials-form input[name=\"password\"]").FillAsync("pass_good");
        await page.Locator("#credentials-submit").ClickAsync();
        // The progress state: announced text and a visible spinner together, while the bank login runs.
        await page.WaitForFunctionAsync(
            "() => document.getElementById('status').textContent.includes('Verifying with Sandbox Bank') && !document.getElementById('spinner').hidden",
            null, new() { Timeout = 20_000 });
        await Expect(page.Locator("#status")).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(page.Locator("#mfa-form")).ToBeVisibleAsync(Slow);
        await Expect(page.Locator("#spinner")).ToBeHiddenAsync();
        await Axe.AssertNoSeriousViolationsAsync(page, $"the MFA step at {width} px");
        await page.Locator("#mfa-submit").ClickAsync();
        var code = page.Locator("#mfa-code");
        await AssertFieldErrorAsync(page, code, "Enter the one-time code.");
        await Expect(code).ToBeFocusedAsync();
        await Axe.AssertNoSeriousViolationsAsync(page, $"the MFA field error at {width} px");

        // Success.
        await code.FillAsync("123456");
        await page.Locator("#mfa-submit").ClickAsync();
        await Expect(page.Locator("#success")).ToBeVisibleAsync(Slow);
        await Axe.AssertNoSeriousViolationsAsync(page, $"success at {width} px");
        await AssertFitsAsync(page, width);
    }

    private const string ContrastScript =
        """
        el => {
          const rgb = c => (c.match(/[\d.]+/g) || [0, 0, 0]).slice(0, 3).map(Number);
          const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
          let bg = 'rgb(255, 255, 255)';
          for (let n = el.parentElement; n; n = n.parentElement) {
            const c = getComputedStyle(n).backgroundColor;
            if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) { bg = c; break; }
          }
          const a = lum(getComputedStyle(el).borderTopColor), b = lum(bg);
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }
        """;

    private static async Task AssertFieldErrorAsync(IPage page, ILocator input, string message)
    {
        await Expect(input).ToHaveAttributeAsync("aria-invalid", "true");
        var id = await input.GetAttributeAsync("id");
        var box = page.Locator($"#{id}-error");
        await Expect(box).ToBeVisibleAsync();
        await Expect(box).ToHaveTextAsync(message);
        Assert.Contains($"{id}-error", (await input.GetAttributeAsync("aria-describedby"))!.Split(' '));
    }

    // Nothing sticks out sideways at this width (no horizontal scrolling on a phone).
    private static async Task AssertFitsAsync(IPage page, int width)
    {
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"The page is {scrollWidth} px wide in a {width} px window.");
    }

    private async Task<JsonElement> ConnectApiAsync(string sessionId)
    {
        using var response = await fixture.Host.Http.GetAsync($"/connect/api/{sessionId}");
        return await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }

    private static async Task PatchAsync(ApiClient api, string clientId, object body)
    {
        using var response = await api.SendAsync(HttpMethod.Patch, $"/admin/v1/clients/{clientId}", ApiClient.Admin(), body);
        await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }
}
