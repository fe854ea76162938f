using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using PayApi.Testing;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PayApi.Browser.Tests;

/// <summary>The end-user's Connect page driven in a real (headless) Chromium against the real service.</summary>
public sealed class ConnectPageTests(ConnectPageFixture fixture, ITestOutputHelper output) : IClassFixture<ConnectPageFixture>
{
    [Fact]
    public async Task End_user_fixes_a_write_key_and_a_wrong_key_then_connects_and_returns_to_the_app_with_a_code()
    {
        var api = fixture.Api;
        var (client, sessionId, connectUrl, _) = await ConnectPage.OpenSessionAsync(
            api, new { end_user_id = "u1", redirect_uri = ConnectPage.RedirectUri });
        var unique = Guid.NewGuid().ToString("n");
        var writeKey = $"sk_test_write{unique}";
        var wrongKey = $"rk_test_invalid{unique}";
        var canary = $"rk_test_canary{unique}";

        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        var releaseApp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectPage.RouteAppAsync(page, releaseApp.Task);
        var response = await page.GotoAsync(connectUrl);
        Assert.Equal(200, response!.Status);

        // The key field: a password input with a label of its own.
        var key = await ConnectPage.OpenApiKeyFieldAsync(page);
        Assert.Equal("password", await key.GetAttributeAsync("type"));
        var id = await key.GetAttributeAsync("id");
        Assert.False(string.IsNullOrEmpty(id), "The API key input has no id, so no label can point at it.");
        var label = page.Locator($"label[for=\"{id}\"]");
        await Expect(label).ToHaveCountAsync(1);
        await Expect(label).ToBeVisibleAsync();
        Assert.False(string.IsNullOrWhiteSpace(await label.TextContentAsync()), "The API key label is empty.");

        var error = page.Locator("#error");
        await Expect(error).ToHaveAttributeAsync("role", "alert");

        // A write-capable key: refused, the user is told what to do, the field is emptied.
        await key.FillAsync(writeKey);
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(error).ToContainTextAsync("This key can make changes");
        await Expect(error).ToContainTextAsync("read-only");
        await Expect(key).ToHaveValueAsync("");
        await Expect(key).ToBeEditableAsync();
        Assert.DoesNotContain(writeKey, await page.ContentAsync());

        // A key the provider rejects.
        await key.FillAsync(wrongKey);
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(error).ToContainTextAsync("did not accept this key");
        await Expect(key).ToHaveValueAsync("");
        await Expect(key).ToBeEditableAsync();
        Assert.DoesNotContain(wrongKey, await page.ContentAsync());

        // A restricted read-only key: connected.
        await key.FillAsync(canary);
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(page.Locator("#success")).ToBeVisibleAsync();
        await Expect(error).ToBeEmptyAsync();
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#continue")).ToBeVisibleAsync();
        var href = await page.Locator("#continue").GetAttributeAsync("href");
        Assert.NotNull(href);
        Assert.StartsWith(ConnectPage.RedirectUri + "?", href, StringComparison.Ordinal);

        // Nothing of the key is left in the page: markup, field values, storage, console.
        var content = await page.ContentAsync();
        var values = await page.EvaluateAsync<string>("() => Array.from(document.querySelectorAll('input')).map(i => i.value).join('\\n')");
        var storage = await page.EvaluateAsync<string>("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])");
        foreach (var secret in new[] { writeKey, wrongKey, canary })
        {
            Assert.DoesNotContain(secret, content);
            Assert.DoesNotContain(secret, values);
            Assert.DoesNotContain(secret, storage);
            Assert.DoesNotContain(secret, browser.Console);
        }

        // The page takes the user back to the app with the code and the session id.
        releaseApp.SetResult();
        await page.WaitForURLAsync("https://app.example/**");
        Assert.Equal(href, page.Url);
        var returned = new Uri(page.Url);
        Assert.Equal("/cb", returned.AbsolutePath);
        var query = QueryHelpers.ParseQuery(returned.Query);
        Assert.Equal(sessionId, query["session_id"].ToString());
        var code = query["code"].ToString();
        Assert.False(string.IsNullOrEmpty(code), $"No code in {page.Url}");
        await Expect(page.Locator("body")).ToContainTextAsync("Back in the app.");

        // The developer's backend exchanges the code and reads data with the token.
        var (connectionId, token) = await api.ExchangeAsync(client, code);
        Assert.StartsWith("con_", connectionId, StringComparison.Ordinal);
        using var balanceResponse = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
        var balance = await ApiClient.ExpectAsync(balanceResponse, HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, balance.GetProperty("data").ValueKind);

        // No submitted key anywhere at rest or in the logs.
        var logs = fixture.Host.Logs.All;
        foreach (var secret in new[] { writeKey, wrongKey, canary })
        {
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), "A submitted key appears in the service's logs.");
        }

        ConnectPage.AssertNotInFiles(fixture.Host.DataDir, writeKey, wrongKey, canary);
    }

    [Fact]
    public async Task Unknown_session_id_shows_that_the_link_is_not_valid()
    {
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        var response = await page.GotoAsync(new Uri(fixture.Host.BaseAddress, "/connect/cs_doesnotexist0000000000").ToString());
        Assert.Equal(200, response!.Status);

        var final = page.Locator("#final");
        await Expect(final).ToBeVisibleAsync();
        await Expect(page.Locator("#final-heading")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("isn['\u2019]t valid"));
        await Expect(page.Locator("#credentials-form")).ToBeHiddenAsync();
        await Expect(page.Locator("#picker")).ToBeHiddenAsync();
        await Expect(page.Locator("#success")).ToBeHiddenAsync();
        await Expect(page.Locator("#status")).ToBeEmptyAsync();
    }

    [Fact]
    public async Task Keyboard_only_user_reaches_the_key_field_with_Tab_and_submits_with_Enter()
    {
        var (_, _, connectUrl, _) = await ConnectPage.OpenSessionAsync(fixture.Api, new { end_user_id = "u-keyboard" });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(connectUrl);
        await page.Locator("button[data-provider=\"sandbox-stripe\"]:visible, #credentials-form input[name=\"api_key\"]:visible").First
            .WaitForAsync(new() { State = WaitForSelectorState.Visible });

        // Tab through the page; choose Sandbox Stripe with Enter when the picker is offered.
        var reached = false;
        var visited = new List<string>();
        for (var i = 0; i < 25 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focused = await FocusedAsync(page);
            visited.Add(focused);
            if (focused == "provider:sandbox-stripe")
            {
                await page.Keyboard.PressAsync("Enter");
                focused = await FocusedAsync(page);
                visited.Add(focused);
            }

            reached = focused == "input:api_key";
        }

        Assert.True(reached, $"The API key field was not reached with Tab; focus went: {string.Join(" → ", visited)}");

        // Every form control has a label that points at it.
        var unlabelled = await page.EvaluateAsync<string[]>(
            """
            () => Array.from(document.querySelectorAll('input, select, textarea'))
              .filter(e => e.type !== 'hidden')
              .filter(e => !e.id || !document.querySelector('label[for="' + CSS.escape(e.id) + '"]') || !document.querySelector('label[for="' + CSS.escape(e.id) + '"]').textContent.trim())
              .map(e => e.outerHTML)
            """);
        Assert.True(unlabelled.Length == 0, "Inputs without a label: " + string.Join(", ", unlabelled));

        await page.Keyboard.TypeAsync($"rk_test_keyboard{Guid.NewGuid():n}");
        await page.Keyboard.PressAsync("Enter");
        var success = page.Locator("#success");
        await Expect(success).ToBeVisibleAsync();
        await Expect(success).ToBeFocusedAsync();
        await Expect(page.Locator("#status")).ToContainTextAsync("Connected");
    }

    [Fact]
    public async Task Screenshot_of_the_success_state_is_a_png()
    {
        var (_, _, connectUrl, _) = await ConnectPage.OpenSessionAsync(
            fixture.Api, new { end_user_id = "u-screenshot", providers = new[] { "sandbox-stripe" } });
        await using var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync(connectUrl);

        var key = await ConnectPage.OpenApiKeyFieldAsync(page);
        await Expect(page.Locator("#picker")).ToBeHiddenAsync();
        await key.FillAsync($"rk_test_screenshot{Guid.NewGuid():n}");
        await page.Locator("#credentials-submit").ClickAsync();
        await Expect(page.Locator("#success")).ToBeVisibleAsync();
        await Expect(page.Locator("#continue")).ToBeHiddenAsync();
        await Expect(page.Locator("#success-text")).ToContainTextAsync("You can close this page");

        var path = Path.Combine(Path.GetTempPath(), $"payapi-connect-success-{Guid.NewGuid():n}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"Screenshot of the success state: {path}");

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > 1000, $"The screenshot is only {bytes.Length} bytes.");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
    }

    private static Task<string> FocusedAsync(IPage page) =>
        page.EvaluateAsync<string>(
            """
            () => {
              const a = document.activeElement;
              if (!a || a === document.body) return 'body';
              if (a.getAttribute('data-provider')) return 'provider:' + a.getAttribute('data-provider');
              if (a.tagName === 'INPUT') return 'input:' + (a.name || a.id);
              return a.tagName.toLowerCase() + (a.id ? '#' + a.id : '');
            }
            """);
}
