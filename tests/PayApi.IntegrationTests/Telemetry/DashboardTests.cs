using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PayApi.Gateway.Auth;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests.Telemetry;

/// <summary>
/// The operations dashboard: absent by default (and so is telemetry), served under /admin/dashboard when enabled, and
/// refused to anyone without the admin token, whether as a Bearer header or as the cookie the login form sets.
/// </summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task By_default_there_is_no_dashboard_and_no_telemetry()
    {
        await using var host = await TestHost.StartAsync();
        foreach (var path in new[] { "/admin/dashboard", "/admin/dashboard/", "/admin/dashboard/login" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = ApiClient.Admin();
            using var response = await host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // With no OTLP endpoint nothing of OpenTelemetry is registered.
        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task Enabled_dashboard_refuses_callers_without_the_admin_token_and_serves_those_with_it()
    {
        await using var host = await TestHost.StartAsync(null, null, "--PayApi:Dashboard:Enabled=true");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.BaseAddress };

        // Refused: nothing, a wrong token, a forged or expired cookie, and a cookie signed under another token.
        var now = DateTimeOffset.UtcNow;
        (string Name, Action<HttpRequestMessage> Prepare)[] refusals =
        [
            ("no credentials", _ => { }),
            ("wrong bearer", r => r.Headers.Authorization = new("Bearer", "not-the-admin-token-0000")),
            ("basic admin", r => r.Headers.Authorization = new("Basic", Convert.ToBase64String("admin:test-admin-token-0123456789"u8.ToArray()))),
            ("forged cookie", r => r.Headers.Add("Cookie", $"{DashboardAccess.CookieName}={now.AddHours(1).ToUnixTimeSeconds()}.00")),
            ("expired cookie", r => r.Headers.Add("Cookie", $"{DashboardAccess.CookieName}={DashboardAccess.IssueCookie(TestHost.AdminToken, now.AddMinutes(-1))}")),
            ("other key cookie", r => r.Headers.Add("Cookie", $"{DashboardAccess.CookieName}={DashboardAccess.IssueCookie("another-admin-token-0123456789", now.AddHours(1))}")),
        ];
        foreach (var path in new[] { "/admin/dashboard/", "/admin/dashboard/DashboardCounters", "/admin/dashboard/index.min.js" })
        {
            foreach (var (name, prepare) in refusals)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                prepare(request);
                using var response = await http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{path} with {name}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        // A browser without the cookie is sent to the login form.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/admin/dashboard/"))
        {
            request.Headers.Add("Accept", "text/html");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/admin/dashboard/login", response.Headers.Location?.OriginalString);
        }

        using (var form = await http.GetAsync("/admin/dashboard/login"))
        {
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.Contains("name=\"token\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // A wrong token at the form: refused, no cookie.
        using (var wrong = await http.PostAsync("/admin/dashboard/login", new FormUrlEncodedContent([new("token", "wrong-token-0123456789")])))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.False(wrong.Headers.Contains("Set-Cookie"));
        }

        // The right token: a 303 to the dashboard and a cookie that is HttpOnly, Secure, SameSite=Strict, scoped to the dashboard.
        string cookie;
        using (var login = await http.PostAsync("/admin/dashboard/login", new FormUrlEncodedContent([new("token", TestHost.AdminToken)])))
        {
            Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
            Assert.Equal("/admin/dashboard/", login.Headers.Location?.OriginalString);
            var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
            Assert.StartsWith(DashboardAccess.CookieName + "=", setCookie, StringComparison.Ordinal);
            Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/admin/dashboard", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(TestHost.AdminToken, setCookie, StringComparison.Ordinal);
            cookie = setCookie.Split(';')[0];
        }

        // With the cookie, or with the token as a Bearer header: the dashboard's page.
        foreach (Action<HttpRequestMessage> prepare in new Action<HttpRequestMessage>[]
                 {
                     r => r.Headers.Add("Cookie", cookie),
                     r => r.Headers.Authorization = ApiClient.Admin(),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/dashboard/");
            prepare(request);
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
            Assert.Contains("<html", text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
