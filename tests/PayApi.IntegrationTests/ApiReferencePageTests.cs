using System.Net;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// The browsable reference at <c>/docs</c>: off unless in development or <c>PayApi:Docs:Enabled</c>; when on, served with
/// its script from this process and a content security policy loosened for <c>/docs</c> alone.
/// </summary>
public sealed class ApiReferencePageTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Docs_are_off_by_default_outside_development()
    {
        using var response = await fixture.Host.Http.GetAsync("/docs/");

        await ApiClient.ExpectProblemAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Docs_when_enabled_load_the_document_and_only_they_get_the_looser_policy()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:Docs:Enabled=true"]);

        using var page = await host.Http.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.Contains("scalar.js", html, StringComparison.Ordinal);
        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("http", csp, StringComparison.Ordinal); // nothing from another origin

        using var script = await host.Http.GetAsync("/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True(script.Headers.Contains("Content-Security-Policy"));

        // Everything else keeps its own policy: the Connect page stays strict, the API sends none.
        using var connect = await host.Http.GetAsync("/connect/cs_x");
        Assert.DoesNotContain("unsafe-inline", Assert.Single(connect.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        using var document = await host.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.False(document.Headers.Contains("Content-Security-Policy"));
    }
}
