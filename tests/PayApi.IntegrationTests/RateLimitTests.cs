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
}
