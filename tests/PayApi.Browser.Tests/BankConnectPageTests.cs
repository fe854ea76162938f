using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PayApi.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace PayApi.Browser.Tests;

/// <summary>What the sandbox-bank tests do on the Connect page again and again.</summary>
public static class BankPage
{
    public const string ProviderId = "sandbox-bank";

    /// <summary>sandbox-bank logins run in the service's own headless Chromium: allow them time.</summary>
    public const float Slow = 60_000;

    public static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = Slow };

    public static readonly LocatorAssertionsToContainTextOptions Contains = new() { Timeout = Slow };

    /// <summary>Opens the page, picks Sandbox Bank in the picker and returns its username and password inputs.</summary>
    public static async Task<(ILocator Username, ILocator Password)> OpenAsync(IPage page, string connectUrl)
    {
        var response = await page.GotoAsync(connectUrl);
        Assert.Equal(200, response!.Status);

        // Several providers are offered (stripe and the sandbox ones), so the picker is shown.
        await Expect(page.Locator("#picker")).ToBeVisibleAsync();
        var button = page.Locator($"button[data-provider=\"{ProviderId}\"]");
        await Expect(button).ToBeVisibleAsync();
        await button.ClickAsync();
        await Expect(button).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#credentials-form")).ToBeVisibleAsync();

        var username = page.Locator("#credentials-form input[name=\"username\"]");
        var password = page.Locator("#credentials-form input[name=\"password\"]");
        await Expect(username).ToBeEditableAsync();
        await Expect(password).ToBeEditableAsync();
        return (username, password);
    }

    public static async Task SignInAsync(IPage page, string connectUrl, string username, string password)
    {
        var (user, pass) = await OpenAsync(page, connectUrl);
        await user.FillAsync(username);
        await pass.FillAsync(password);
        await page.Locator("#credentials-submit").ClickAsync();
    }

    /// <summary>Asserts that the secret is nowhere in the page: markup, input values, storage, console.</summary>
    public static async Task AssertNotInPageAsync(BrowserPage browser, string secret)
    {
        var page = browser.Page;
        Assert.DoesNotContain(secret, await page.ContentAsync());
        var values = await page.EvaluateAsync<string>("() => Array.from(document.querySelectorAll('input')).map(i => i.value).join('\\n')");
        Assert.DoesNotContain(secret, values);
        var storage = await page.EvaluateAsync<string>("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])");
        Assert.DoesNotContain(secret, storage);
        Assert.DoesNotContain(secret, browser.Console);
    }

    public static async Task<JsonElement> SessionAsync(ApiClient api, (string Id, string Secret) client, string sessionId)
    {
        using var response = await api.SendAsync(HttpMethod.Get, $"/v1/connect/sessions/{sessionId}", ApiClient.Basic(client));
        return await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }

    public static async Task ExchangeAndReadBalanceAsync(ApiClient api, (string Id, string Secret) client, string sessionId)
    {
        var done = await api.WaitForSessionAsync(client, sessionId);
        Assert.True(done.GetProperty("status").GetString() == "succeeded", $"The session did not succeed: {done.GetRawText()}");
        Assert.Equal(ProviderId, done.GetProperty("provider").GetString());
        var (connectionId, token) = await api.ExchangeAsync(client, done.GetProperty("code").GetString()!);
        Assert.StartsWith("con_", connectionId, StringComparison.Ordinal);
        using var balanceResponse = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
        var balance = await ApiClient.ExpectAsync(balanceResponse, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, balance.GetProperty("data").ValueKind);
        Assert.NotEqual(0, balance.GetProperty("data").GetArrayLength());
    }
}

/// <summary>The end-user connects Sandbox Bank (a web login driven by the service's scraper) through the Connect page.</summary>
public sealed class BankConnectPageTests(ConnectPageFixture fixture) : IClassFixture<ConnectPageFixture>
{
    [Fact]
    public async Task Good_user_picks_Sandbox_Bank_signs_in_with_a_labelled_password_field_and_the_app_reads_the_balance()
    {
        var api = fixture.Api;
        var (client, sessionId, connectUrl, _) = await ConnectPage.OpenSessionAsync(api, new { end_user_id = "u-bank-good" });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;

        var (username, password) = await BankPage.OpenAsync(page, connectUrl);
        await Expect(page.Locator("#credentials-legend")).ToContainTextAsync("Sandbox Bank");

        // Both fields have a visible label of their own; the password is masked.
        Assert.Equal("password", await password.GetAttributeAsync("type"));
        Assert.Equal("text", await username.GetAttributeAsync("type"));
        foreach (var input in new[] { username, password })
        {
            var id = await input.GetAttributeAsync("id");
            Assert.False(string.IsNullOrEmpty(id), "A credentials input has no id, so no label can point at it.");
            var label = page.Locator($"label[for=\"{id}\"]");
            await Expect(label).ToHaveCountAsync(1);
            await Expect(label).ToBeVisibleAsync();
            Assert.False(string.IsNullOrWhiteSpace(await label.TextContentAsync()), $"The label of #{id} is empty.");
        }

        await Expect(page.Locator($"label[for=\"{await password.GetAttributeAsync("id")}\"]")).ToHaveTextAsync("Password");
        await Expect(page.Locator("#error")).ToHaveAttributeAsync("role", "alert");

        await username.FillAsync("user_good");
        await password.FillAsync("pass_good");
        await page.Locator("#credentials-submit").ClickAsync();

        var success = page.Locator("#success");
        await Expect(success).ToBeVisibleAsync(BankPage.Visible);
        await Expect(page.Locator("#error")).ToBeEmptyAsync();
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#picker")).ToBeHiddenAsync();
        await Expect(page.Locator("#status")).ToContainTextAsync("Connected");
        await Expect(page.Locator("#success-text")).ToContainTextAsync("You can close this page");
        await Expect(password).ToHaveValueAsync("");

        await BankPage.ExchangeAndReadBalanceAsync(api, client, sessionId);
    }

    [Theory]
    [InlineData("user_expired", "pass_good", "password_change_required", "Sandbox Bank needs you to change your password")]
    [InlineData("user_good", "pass_wrong", "invalid_credentials", "Sandbox Bank did not accept that username and password")]
    [InlineData("user_nobody", "pass_good", "invalid_credentials", "Sandbox Bank did not accept that username and password")]
    [InlineData("user_flaky", "pass_good", "unexpected_provider_response", "Sandbox Bank showed us something we did not expect")]
    public async Task Failed_bank_login_shows_what_to_do_and_lets_the_user_try_again(string user, string pass, string code, string message)
    {
        var api = fixture.Api;
        var (client, sessionId, connectUrl, _) = await ConnectPage.OpenSessionAsync(api, new { end_user_id = $"u-bank-{user}" });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;

        await BankPage.SignInAsync(page, connectUrl, user, pass);

        var error = page.Locator("#error");
        await Expect(error).ToContainTextAsync(message, BankPage.Contains);
        await Expect(error).ToHaveAttributeAsync("role", "alert");

        // Not final: the form stays for another try, with the password emptied and focused.
        await Expect(page.Locator("#credentials-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#final")).ToBeHiddenAsync();
        await Expect(page.Locator("#success")).ToBeHiddenAsync();
        var password = page.Locator("#credentials-form input[name=\"password\"]");
        await Expect(password).ToHaveValueAsync("");
        await Expect(password).ToBeEditableAsync();
        await Expect(password).ToBeFocusedAsync();
        await Expect(page.Locator("#credentials-form input[name=\"username\"]")).ToHaveValueAsync(user);
        await Expect(page.Locator("#status")).ToBeEmptyAsync();

        var session = await BankPage.SessionAsync(api, client, sessionId);
        Assert.Equal("pending", session.GetProperty("status").GetString());
        Assert.Equal(code, session.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Locked_bank_account_ends_the_session_with_what_to_do()
    {
        var api = fixture.Api;
        var (client, sessionId, connectUrl, _) = await ConnectPage.OpenSessionAsync(api, new { end_user_id = "u-bank-locked" });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;

        await BankPage.SignInAsync(page, connectUrl, "user_locked", $"any{Guid.NewGuid():n}");

        var final = page.Locator("#final");
        await Expect(final).ToBeVisibleAsync(BankPage.Visible);
        await Expect(final).ToBeFocusedAsync();
        await Expect(page.Locator("#final-heading")).ToHaveTextAsync(new Regex("couldn['\u2019]t connect your account"));
        await Expect(page.Locator("#final-text")).ToContainTextAsync("Your account at Sandbox Bank is locked");
        await Expect(page.Locator("#final-text")).ToContainTextAsync("Go back to the app");
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#picker")).ToBeHiddenAsync();
        await Expect(page.Locator("#mfa-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#success")).ToBeHiddenAsync();
        await Expect(page.Locator("#error")).ToBeEmptyAsync();

        var session = await BankPage.SessionAsync(api, client, sessionId);
        Assert.Equal("failed", session.GetProperty("status").GetString());
        Assert.Equal("account_locked", session.GetProperty("error").GetProperty("code").GetString());

        // A reload still shows the end, not a form.
        await page.ReloadAsync();
        await Expect(final).ToBeVisibleAsync();
        await Expect(page.Locator("#final-text")).ToContainTextAsync("is locked");
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
    }
}

/// <summary>The service with a unique sandbox-bank password, so a real, accepted password can be looked for everywhere.</summary>
public sealed class BankCanaryFixture : BrowserHostFixture
{
    public static readonly string Password = $"pass_canary_{Guid.NewGuid():n}";

    protected override string[] HostArgs => [$"--PayApi:Sandbox:BankPassword={Password}"];
}

/// <summary>Sandbox Bank with a canary password (it stands in for <c>pass_good</c>).</summary>
public sealed class BankCanaryConnectPageTests(BankCanaryFixture fixture) : IClassFixture<BankCanaryFixture>
{
    private static string Canary => BankCanaryFixture.Password;

    [Fact]
    public async Task Mfa_user_gets_the_code_form_a_wrong_code_is_refused_and_the_right_code_connects_without_the_password_in_the_page()
    {
        var api = fixture.Api;
        var (client, sessionId, connectUrl, _) = await ConnectPage.OpenSessionAsync(api, new { end_user_id = "u-bank-mfa" });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;

        var (username, password) = await BankPage.OpenAsync(page, connectUrl);
        await username.FillAsync("user_mfa");
        await password.FillAsync(Canary);
        await page.Locator("#credentials-submit").ClickAsync();

        // The page moves on to the one-time code.
        var mfaForm = page.Locator("#mfa-form");
        var code = page.Locator("#mfa-form input[name=\"code\"]");
        var error = page.Locator("#error");
        await Expect(mfaForm).ToBeVisibleAsync(BankPage.Visible);
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#picker")).ToBeHiddenAsync();
        await Expect(error).ToBeEmptyAsync();
        await Expect(code).ToBeEditableAsync();
        await Expect(code).ToBeFocusedAsync();
        await Expect(page.Locator("label[for=\"mfa-code\"]")).ToBeVisibleAsync();
        await Expect(password).ToHaveValueAsync("");
        Assert.Equal("awaiting_mfa", (await BankPage.SessionAsync(api, client, sessionId)).GetProperty("status").GetString());
        await BankPage.AssertNotInPageAsync(browser, Canary);

        // A wrong code: told so, and the code form stays, emptied.
        await code.FillAsync("000000");
        await page.Locator("#mfa-submit").ClickAsync();
        await Expect(error).ToContainTextAsync("That code did not work", BankPage.Contains);
        await Expect(mfaForm).ToBeVisibleAsync();
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#final")).ToBeHiddenAsync();
        await Expect(code).ToHaveValueAsync("");
        await Expect(code).ToBeEditableAsync();
        var afterWrongCode = await BankPage.SessionAsync(api, client, sessionId);
        Assert.Equal("awaiting_mfa", afterWrongCode.GetProperty("status").GetString());
        Assert.Equal("invalid_mfa_code", afterWrongCode.GetProperty("error").GetProperty("code").GetString());
        await BankPage.AssertNotInPageAsync(browser, Canary);

        // The right code connects.
        await code.FillAsync("123456");
        await page.Locator("#mfa-submit").ClickAsync();
        await Expect(page.Locator("#success")).ToBeVisibleAsync(BankPage.Visible);
        await Expect(error).ToBeEmptyAsync();
        await Expect(mfaForm).ToBeHiddenAsync();
        await Expect(page.Locator("#status")).ToContainTextAsync("Connected");
        await BankPage.AssertNotInPageAsync(browser, Canary);

        await BankPage.ExchangeAndReadBalanceAsync(api, client, sessionId);

        Assert.False(fixture.Host.Logs.All.Contains(Canary, StringComparison.Ordinal), "The bank password appears in the service's logs.");
        ConnectPage.AssertNotInFiles(fixture.Host.DataDir, Canary);
    }

    [Fact]
    public async Task Unexpected_bank_page_keeps_a_failure_bundle_without_the_password()
    {
        var api = fixture.Api;
        var (_, _, connectUrl, _) = await ConnectPage.OpenSessionAsync(api, new { end_user_id = "u-bank-flaky" });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;

        // user_flaky's "redesigned" page echoes the password back into its own markup.
        await BankPage.SignInAsync(page, connectUrl, "user_flaky", Canary);
        await Expect(page.Locator("#error")).ToContainTextAsync("showed us something we did not expect", BankPage.Contains);
        await BankPage.AssertNotInPageAsync(browser, Canary);

        // The bundle is kept (and can be opened by an operator) with the password redacted.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement bundles;
        while (true)
        {
            using var list = await api.SendAsync(HttpMethod.Get, "/admin/v1/failure-bundles", ApiClient.Admin());
            bundles = (await ApiClient.ExpectAsync(list, HttpStatusCode.OK)).GetProperty("data");
            if (bundles.GetArrayLength() > 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.True(bundles.GetArrayLength() > 0, "No failure bundle was kept for the unexpected page.");
        Assert.DoesNotContain(Canary, bundles.GetRawText());
        foreach (var bundle in bundles.EnumerateArray())
        {
            var id = Property(bundle, "bundle_id", "id").GetString()!;
            var connectionId = Property(bundle, "connection_id", "connectionId").GetString()!;
            using var open = await api.SendAsync(HttpMethod.Get, $"/admin/v1/connections/{connectionId}/failure-bundles/{id}", ApiClient.Admin());
            var opened = await ApiClient.ExpectAsync(open, HttpStatusCode.OK);
            var html = opened.GetProperty("html").GetString()!;
            Assert.Contains("redesigned", html, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, opened.GetRawText());
        }

        Assert.False(fixture.Host.Logs.All.Contains(Canary, StringComparison.Ordinal), "The bank password appears in the service's logs.");
        ConnectPage.AssertNotInFiles(fixture.Host.DataDir, Canary);
    }

    private static JsonElement Property(JsonElement element, params string[] names)
    {
        foreach (var name in names)
        {
            if (element.TryGetProperty(name, out var value))
            {
                return value;
            }
        }

        throw new Xunit.Sdk.XunitException($"None of {string.Join(", ", names)} in {element.GetRawText()}");
    }
}
