using System.Net;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>Each caller has its own token bucket; over it, a 429 problem with Retry-After.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_client_over_its_limit_gets_429_with_retry_after_and_others_are_unaffected()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:RateLimit:PermitsPerSecond=1", "--PayApi:RateLimit:Burst=4"]);
        var api = new ApiClient(host.Http);
        var noisy = await api.CreateClientAsync("Noisy");
        var quiet = await api.CreateClientAsync("Quiet");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10; i++)
        {
            var response = await api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic(noisy));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && limited is null)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.NotNull(limited);
        using (limited)
        {
            var problem = await ApiClient.ExpectProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited");
            Assert.True(problem.GetProperty("retryable").GetBoolean());
            Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        }

        using (var other = await api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic(quiet)))
        {
            await ApiClient.ExpectAsync(other, HttpStatusCode.OK);
        }

        using (var probe = await api.SendAsync(HttpMethod.Get, "/healthz", null))
        {
            await ApiClient.ExpectAsync(probe, HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Guessing_made_up_identities_from_one_address_is_throttled_before_they_are_checked()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:RateLimit:AuthFailuresPerMinute=3"]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();

        // A revoked token is not a guess: a backend polling disconnected connections is not throttled for it.
        var (_, revoked) = await api.ConnectAsync(client, "rk_test_revoked01");
        using (var disconnect = await api.SendAsync(HttpMethod.Post, "/v1/disconnect", ApiClient.Bearer(revoked)))
        {
            await ApiClient.ExpectAsync(disconnect, HttpStatusCode.OK);
        }

        for (var i = 0; i < 5; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(revoked));
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using (var stillFine = await api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic(client)))
        {
            await ApiClient.ExpectAsync(stillFine, HttpStatusCode.OK);
        }

        // Made-up identities each name a fresh budget of their own, so the address counts their failures too.
        for (var i = 0; i < 3; i++)
        {
            var guess = ("cli_" + Guid.NewGuid().ToString("N")[..20], "sec_wrong" + i);
            using var response = await api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic(guess));
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        // Now a further guess naming nobody is refused unchecked; a client that proved its secret is not.
        using (var token = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer("made.up.token")))
        {
            await ApiClient.ExpectProblemAsync(token, HttpStatusCode.TooManyRequests, "rate_limited");
            Assert.Equal("20", token.Headers.GetValues("Retry-After").Single());
        }

        using (var right = await api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic(client)))
        {
            await ApiClient.ExpectAsync(right, HttpStatusCode.OK);
        }

        // Calls that carry no credentials are not guesses.
        using (var probe = await api.SendAsync(HttpMethod.Get, "/healthz", null))
        {
            await ApiClient.ExpectAsync(probe, HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task An_authorization_header_does_not_move_connect_page_calls_out_of_the_address_bucket()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:RateLimit:PermitsPerSecond=1", "--PayApi:RateLimit:Burst=4"]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "u" })).GetProperty("session_id").GetString()!;
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Get, $"/connect/api/{sessionId}", ApiClient.Bearer("random-" + i));
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }
}
