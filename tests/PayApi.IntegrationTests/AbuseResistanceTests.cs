using System.Net;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// Issue 13: guessing is throttled per guessed credential, and per address only when the guessed identity never
/// authenticated; a caller whose credentials are valid is never locked out by someone else's guesses.
/// </summary>
public sealed class AbuseResistanceTests
{
    [Fact]
    public async Task Guesses_from_a_shared_address_do_not_lock_out_other_tenants_behind_it()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:RateLimit:AuthFailuresPerMinute=5"]);
        var api = new ApiClient(host.Http);
        var guesser = await api.CreateClientAsync("Guesser");
        var tenant = await api.CreateClientAsync("Tenant");
        var (_, token) = await api.ConnectAsync(tenant, "rk_test_shared01");
        await ExpectOkAsync(api, "/v1/providers", ApiClient.Basic(guesser));

        // Wrong secrets for a real client id, then made-up ids: both budgets run out, all from this one address.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add(await StatusAsync(api, "/v1/providers", ApiClient.Basic((guesser.ClientId, "sec_wrong" + i))));
            statuses.Add(await StatusAsync(api, "/v1/providers", ApiClient.Basic(("cli_" + Guid.NewGuid().ToString("N")[..20], "sec_wrong"))));
        }

        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        // Same address, valid credentials: Basic, Bearer and the guessed client's own secret all still work.
        await ExpectOkAsync(api, "/v1/providers", ApiClient.Basic(tenant));
        await ExpectOkAsync(api, "/v1/connection", ApiClient.Bearer(token));
        await ExpectOkAsync(api, "/v1/providers", ApiClient.Basic(guesser));
        await ExpectOkAsync(api, "/admin/v1/clients/" + tenant.ClientId, ApiClient.Admin());
    }

    [Fact]
    public async Task Bad_secrets_with_a_victims_client_id_do_not_drain_its_rate_limit_bucket()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:RateLimit:PermitsPerSecond=1", "--PayApi:RateLimit:Burst=5"]);
        var api = new ApiClient(host.Http);
        var victim = await api.CreateClientAsync("Victim");
        await ExpectOkAsync(api, "/v1/providers", ApiClient.Basic(victim));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            statuses.Add(await StatusAsync(api, "/v1/providers", ApiClient.Basic((victim.ClientId, "sec_wrong" + i))));
        }

        Assert.DoesNotContain(HttpStatusCode.OK, statuses);
        Assert.True(statuses.Count(s => s == HttpStatusCode.Unauthorized) <= 31, string.Join(",", statuses.Distinct()));
        await ExpectOkAsync(api, "/v1/providers", ApiClient.Basic(victim));
    }

    [Fact]
    public async Task Unauthenticated_calls_are_limited_per_address_whatever_client_id_they_claim()
    {
        var logs = new CapturedLogs();
        await using var host = await TestHost.StartAsync(logs: logs, extraArgs: ["--PayApi:RateLimit:PermitsPerSecond=1", "--PayApi:RateLimit:Burst=4"]);
        var api = new ApiClient(host.Http);
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/no/such/path"), (HttpMethod.Delete, "/v1/providers"), (HttpMethod.Get, "/openapi/v1.json") })
        {
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 10; i++)
            {
                using var request = ApiClient.Request(method, path, ApiClient.Basic(("cli_" + Guid.NewGuid().ToString("N")[..20], "sec_any")));
                using var response = await api.Http.SendAsync(request);
                statuses.Add(response.StatusCode);
            }

            Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        }

        // A flood of refused requests must not grow the log by a stack trace each.
        Assert.DoesNotContain(logs.Lines, line => line.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_parallel_burst_of_guesses_gets_at_most_the_budget_checked()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:RateLimit:AuthFailuresPerMinute=30", "--PayApi:RateLimit:Burst=1000"]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        await ExpectOkAsync(api, "/v1/providers", ApiClient.Basic(client));

        // One known client's secret guessed 300 times at once, then 300 made-up ids at once (the address's budget).
        var known = await BurstAsync(api, i => (client.ClientId, "sec_wrong" + i));
        var madeUp = await BurstAsync(api, _ => ("cli_" + Guid.NewGuid().ToString("N")[..20], "sec_wrong"));
        foreach (var statuses in new[] { known, madeUp })
        {
            // The budget, plus a token or two refilled (one per 2 s) while the burst runs.
            var checkedCount = statuses.Count(s => s == HttpStatusCode.Unauthorized);
            Assert.True(checkedCount is >= 1 and <= 33, $"{checkedCount} of 300 guesses were checked");
            Assert.Equal(300, statuses.Count(s => s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests));
        }

        await ExpectOkAsync(api, "/v1/providers", ApiClient.Basic(client));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task X_forwarded_for_names_the_address_only_when_the_peer_is_a_trusted_proxy(bool trusted)
    {
        string[] args = trusted
            ? ["--PayApi:RateLimit:AuthFailuresPerMinute=3", "--PayApi:Network:TrustedProxies:0=127.0.0.0/8", "--PayApi:Network:TrustedProxies:1=::1"]
            : ["--PayApi:RateLimit:AuthFailuresPerMinute=3"];
        await using var host = await TestHost.StartAsync(extraArgs: args);
        var api = new ApiClient(host.Http);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await GuessFromAsync(api, "203.0.113.7"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await GuessFromAsync(api, "203.0.113.7"));

        // Another client behind the proxy has its own budget; an untrusted peer cannot buy one with a header.
        Assert.Equal(trusted ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, await GuessFromAsync(api, "198.51.100.9"));
    }

    private static async Task<HttpStatusCode> GuessFromAsync(ApiClient api, string forwardedFor)
    {
        using var request = ApiClient.Request(HttpMethod.Get, "/v1/providers", ApiClient.Basic(("cli_" + Guid.NewGuid().ToString("N")[..20], "sec_wrong")));
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await api.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<List<HttpStatusCode>> BurstAsync(ApiClient api, Func<int, (string, string)> credentials)
    {
        var calls = Enumerable.Range(0, 300).Select(i => StatusAsync(api, "/v1/providers", ApiClient.Basic(credentials(i))));
        return [.. await Task.WhenAll(calls)];
    }

    private static async Task<HttpStatusCode> StatusAsync(ApiClient api, string path, System.Net.Http.Headers.AuthenticationHeaderValue auth)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, auth);
        return response.StatusCode;
    }

    private static async Task ExpectOkAsync(ApiClient api, string path, System.Net.Http.Headers.AuthenticationHeaderValue auth)
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, auth);
        await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }
}
