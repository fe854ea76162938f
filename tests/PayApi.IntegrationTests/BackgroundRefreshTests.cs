using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PayApi.Sandbox;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// <c>POST /v1/connection/refresh</c> answers <c>202</c> at once and the refresh runs on in the connection's grain: the
/// connection reads <c>refreshing</c>, then a new <c>last_refreshed_at</c>. A sandbox-bank refresh after a restart
/// must log in again in Chromium, which takes seconds.
/// </summary>
public sealed class BackgroundRefreshTests
{
    [Fact]
    public async Task A_refresh_that_must_log_in_through_the_browser_is_accepted_within_200_ms_and_finishes_in_the_background()
    {
        var dataDir = TestHost.NewDataDir();
        var token = await ConnectBankOnAStoppedHostAsync(dataDir);

        // A new host: the sandbox bank forgot the session, so this refresh logs in again in the browser.
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            var sandbox = host.Service<SandboxServer>();
            var before = await ConnectionAsync(api, token); // activates the grain and verifies the token once: not what is timed
            Assert.Equal("connected", before.GetProperty("status").GetString());

            var clock = Stopwatch.StartNew();
            using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                clock.Stop();
                await ApiClient.ExpectAsync(refresh, HttpStatusCode.Accepted);
            }

            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(200), $"the refresh answered after {clock.ElapsedMilliseconds} ms");
            var during = await ConnectionAsync(api, token);
            Assert.Equal("refreshing", during.GetProperty("status").GetString());

            // A second refresh while it runs joins it (202, no second login).
            using (var joined = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                await ApiClient.ExpectAsync(joined, HttpStatusCode.Accepted);
            }

            var after = await api.WaitRefreshedAsync(token);
            Assert.Equal("connected", after.GetProperty("status").GetString());
            Assert.True(
                after.GetProperty("last_refreshed_at").GetDateTimeOffset() > before.GetProperty("last_refreshed_at").GetDateTimeOffset(),
                "the background refresh should move last_refreshed_at: " + after.GetRawText());
            Assert.Equal(1, sandbox.BankLoginAttempts);

            // Pacing still holds once it is done: the next one is told when to come back.
            using (var again = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                await ApiClient.ExpectProblemAsync(again, HttpStatusCode.TooManyRequests, "rate_limited");
                Assert.NotNull(again.Headers.RetryAfter?.Delta);
            }
        }
    }

    [Fact]
    public async Task A_background_refresh_that_fails_shows_on_the_connection_not_in_the_202()
    {
        var dataDir = TestHost.NewDataDir();
        var token = await ConnectBankOnAStoppedHostAsync(dataDir);

        // The bank is down: the refresh is still accepted, and the connection says what happened.
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            host.Service<SandboxServer>().BankOutage = true;
            var connection = await api.RefreshAndWaitAsync(token);
            Assert.Equal("provider_unavailable", connection.GetProperty("status").GetString());
            Assert.Equal("provider_unavailable", connection.GetProperty("error").GetProperty("code").GetString());
        }
    }

    // A sandbox-bank connection made on a host that is then stopped: the next host's refresh must log in again.
    private static async Task<string> ConnectBankOnAStoppedHostAsync(string dataDir)
    {
        await using var host = await TestHost.StartAsync(dataDir);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (_, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");
        return token;
    }

    private static async Task<JsonElement> ConnectionAsync(ApiClient api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(token));
        return await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }
}
