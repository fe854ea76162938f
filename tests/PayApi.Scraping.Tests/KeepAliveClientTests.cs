using System.Net;
using PayApi.Testing;

namespace PayApi.Scraping.Tests;

public sealed class KeepAliveClientTests : IAsyncLifetime
{
    private TestSite _site = null!;

    public async Task InitializeAsync() => _site = await TestSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task The_client_goes_through_tinyproxy_to_loopback_with_the_stored_cookies()
    {
        await using var proxy = await Tinyproxy.StartAsync("tp-keepalive");
        var stored = new[] { new StoredCookie("sid", "sess-99", "127.0.0.1", "/", StoredCookie.SessionExpiry, true, false, CookieSameSite.Strict) };
        var cookies = CookieContainerBridge.ToContainer(stored);

        using (var client = KeepAliveClientFactory.Create(proxy.Address, cookies))
        {
            var body = await client.GetStringAsync(_site.Url("/echo"));

            Assert.Contains("via=1.1 tp-keepalive", body, StringComparison.Ordinal);
            Assert.Contains("sid=sess-99", body, StringComparison.Ordinal);
        }

        Assert.True(proxy.RequestCount >= 1, "tinyproxy logged no request");
        var updated = CookieContainerBridge.FromContainer(cookies, stored);
        Assert.Equal(CookieSameSite.Strict, Assert.Single(updated, c => c.Name == "sid").SameSite);
        Assert.Equal("from-site", Assert.Single(updated, c => c.Name == "fresh").Value);
    }

    [Fact]
    public async Task Without_a_proxy_the_client_goes_direct()
    {
        using var client = KeepAliveClientFactory.Create(null, new CookieContainer());

        var body = await client.GetStringAsync(_site.Url("/echo"));

        Assert.Contains("via=none", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        using var client = KeepAliveClientFactory.Create(null, new CookieContainer());

        using var response = await client.GetAsync(_site.Url("/redirect"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }
}
