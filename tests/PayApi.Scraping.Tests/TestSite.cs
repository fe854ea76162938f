using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PayApi.Scraping.Tests;

/// <summary>
/// A tiny real web site on 127.0.0.1: <c>/echo</c> reports the Via header and the <c>sid</c> cookie and sets
/// a <c>fresh</c> cookie; <c>/login</c> has a password form; <c>/slow</c> answers after 300 ms; <c>/hang</c> never does.
/// </summary>
public sealed class TestSite : IAsyncDisposable
{
    public const string LoginHtml = """
        <!doctype html>
        <html><head><title>Sign in</title></head>
        <body>
          <h1>Sign in to Sandbox Bank</h1>
          <form>
            <label>User <input id="user" name="username" type="text"></label>
            <label>Password <input id="pw" name="password" type="password"></label>
            <label>One-time code <input id="otp" name="otp_code" type="text"></label>
            <label>Comment <input id="comment" name="comment" type="text"></label>
          </form>
          <p id="visible">Nothing to see yet.</p>
        </body></html>
        """;

    private readonly WebApplication _app;

    private TestSite(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The Via header of every request to <c>/echo</c> ("none" when absent).</summary>
    public ConcurrentQueue<string> ViaSeen { get; } = new();

    public Uri Url(string pathAndQuery) => new(Address, pathAndQuery);

    public static async Task<TestSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        TestSite? site = null;
        app.MapGet("/echo", (HttpContext http) =>
        {
            var via = http.Request.Headers.Via.ToString() is { Length: > 0 } v ? v : "none";
            site!.ViaSeen.Enqueue(via);
            var sid = http.Request.Cookies["sid"] ?? "none";
            http.Response.Cookies.Append("fresh", "from-site", new CookieOptions { Path = "/", HttpOnly = true });
            return Results.Text($"via={via};sid={sid}", "text/plain");
        });
        app.MapGet("/login", () => Results.Content(LoginHtml, "text/html"));
        app.MapGet("/slow", async () =>
        {
            await Task.Delay(300);
            return Results.Text("ok", "text/plain");
        });
        app.MapGet("/hang", async (HttpContext http) =>
        {
            await Task.Delay(TimeSpan.FromMinutes(2), http.RequestAborted);
            return Results.Text("late", "text/plain");
        });
        app.MapGet("/redirect", () => Results.Redirect("/login"));
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        site = new TestSite(app, address);
        return site;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
