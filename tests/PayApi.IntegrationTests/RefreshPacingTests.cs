using System.Net;
using PayApi.Sandbox;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>Developer refreshes of one connection are coalesced while one runs and spaced by the provider's interval.</summary>
public sealed class RefreshPacingTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task Six_parallel_refreshes_make_one_provider_fetch_and_the_next_one_is_told_when_to_come_back()
    {
        var api = fixture.Api;
        var sandbox = fixture.Host.Service<SandboxServer>();
        var client = await api.CreateClientAsync();
        var (_, token) = await api.ConnectAsync(client, "rk_test_pacing01");
        await api.WaitSyncedAsync(token);

        // Each refresh of a Stripe-shaped connection reads the balance once.
        var balanceReads = sandbox.StripeRequestsTo("/v1/balance");
        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token));
            return response.StatusCode;
        }));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
        await api.WaitRefreshedAsync(token); // the one refresh they share runs on after the 202s
        Assert.Equal(balanceReads + 1, sandbox.StripeRequestsTo("/v1/balance"));

        using (var again = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
        {
            var problem = await ApiClient.ExpectProblemAsync(again, HttpStatusCode.TooManyRequests, "rate_limited");
            Assert.True(problem.GetProperty("retryable").GetBoolean());
            var retryAfter = again.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value.TotalSeconds, 1, 10);
        }

        Assert.Equal(balanceReads + 1, sandbox.StripeRequestsTo("/v1/balance"));

        // The data just fetched keeps being served.
        using (var balance = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            Assert.True((await ApiClient.ExpectAsync(balance, HttpStatusCode.OK)).GetProperty("cached").GetBoolean());
        }
    }
}
