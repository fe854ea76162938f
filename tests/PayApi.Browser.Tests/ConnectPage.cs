using System.Net;
using System.Text;
using Microsoft.Playwright;
using PayApi.Testing;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace PayApi.Browser.Tests;

/// <summary>What the tests do on the Connect page again and again.</summary>
public static class ConnectPage
{
    public const string RedirectUri = "https://app.example/cb";

    /// <summary>Waits for the page to offer Sandbox Stripe, picks it when a picker is shown, and returns its API key field.</summary>
    public static async Task<ILocator> OpenApiKeyFieldAsync(IPage page)
    {
        var button = page.Locator("button[data-provider=\"sandbox-stripe\"]");
        var key = page.Locator("#credentials-form input[name=\"api_key\"]");
        // The picker's buttons exist (hidden) even when only one provider is offered: wait for whichever is visible.
        await page.Locator("button[data-provider=\"sandbox-stripe\"]:visible, #credentials-form input[name=\"api_key\"]:visible").First
            .WaitForAsync(new() { State = WaitForSelectorState.Visible });
        if (await button.IsVisibleAsync())
        {
            await button.ClickAsync();
            await Expect(button).ToHaveAttributeAsync("aria-pressed", "true");
        }

        await Expect(key).ToBeVisibleAsync();
        await Expect(key).ToBeEditableAsync();
        return key;
    }

    /// <summary>Opens a session for a new client; returns the client, the session id and the connect URL.</summary>
    public static async Task<((string Id, string Secret) Client, string SessionId, string ConnectUrl, DateTimeOffset ExpiresAt)> OpenSessionAsync(
        ApiClient api, object body)
    {
        var client = await api.CreateClientAsync("Browser tests");
        var session = await api.OpenSessionAsync(client, body);
        return (
            client,
            session.GetProperty("session_id").GetString()!,
            session.GetProperty("connect_url").GetString()!,
            DateTimeOffset.Parse(session.GetProperty("expires_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Answers navigations to the developer's app with a tiny page, once <paramref name="release"/> completes.</summary>
    public static Task RouteAppAsync(IPage page, Task release) =>
        page.RouteAsync("https://app.example/**", async route =>
        {
            await release;
            await route.FulfillAsync(new()
            {
                Status = 200,
                ContentType = "text/html; charset=utf-8",
                Body = "<!DOCTYPE html><html lang=\"en\"><title>Example app</title><p>Back in the app.</p></html>",
            });
        });

    /// <summary>Asserts that none of the secrets appears in any file under the directory (raw bytes, UTF-8 and UTF-16).</summary>
    public static void AssertNotInFiles(string directory, params string[] secrets)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            catch (FileNotFoundException)
            {
                continue; // a temp file (e.g. a SQLite journal) that went away while we listed
            }

            foreach (var secret in secrets)
            {
                Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0, $"A submitted key was written in plain text to {file}.");
                Assert.False(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(secret)) >= 0, $"A submitted key was written (UTF-16) to {file}.");
            }
        }
    }

    public static async Task AssertStatusAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            await ApiClient.ExpectAsync(response, status);
        }
    }
}
