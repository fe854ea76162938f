using System.Net;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>Connect sessions as a developer and an end-user meet them: idempotency, errors, expiry, repair.</summary>
public sealed class SessionTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task Idempotency_key_replays_the_same_session_and_refuses_another_body()
    {
        var client = await Api.CreateClientAsync();
        var key = "idem-" + Guid.NewGuid();
        var first = await Api.OpenSessionAsync(client, new { end_user_id = "u1" }, key);
        var again = await Api.OpenSessionAsync(client, new { end_user_id = "u1" }, key);
        Assert.Equal(first.GetProperty("session_id").GetString(), again.GetProperty("session_id").GetString());

        var conflict = await Api.OpenSessionAsync(client, new { end_user_id = "u2" }, key, HttpStatusCode.Conflict);
        Assert.Equal("conflict", conflict.GetProperty("code").GetString());

        var other = await Api.OpenSessionAsync(client, new { end_user_id = "u1" }, "idem-" + Guid.NewGuid());
        Assert.NotEqual(first.GetProperty("session_id").GetString(), other.GetProperty("session_id").GetString());

        // Keys are per client: another client's identical key is independent.
        var bob = await Api.CreateClientAsync("Bob");
        var bobs = await Api.OpenSessionAsync(bob, new { end_user_id = "u2" }, key);
        Assert.NotEqual(first.GetProperty("session_id").GetString(), bobs.GetProperty("session_id").GetString());
    }

    [Fact]
    public async Task End_user_errors_return_the_session_to_pending_with_the_typed_code()
    {
        var client = await Api.CreateClientAsync();
        var session = await Api.OpenSessionAsync(client, new { end_user_id = "u1", providers = new[] { "sandbox-stripe" } });
        var sessionId = session.GetProperty("session_id").GetString()!;
        Assert.Equal($"{Api.Http.BaseAddress!.ToString().TrimEnd('/')}/connect/{sessionId}", session.GetProperty("connect_url").GetString());

        foreach (var (key, code) in new[] { ("sk_test_writable01", "insufficient_key_scope"), ("rk_test_invalid001", "invalid_credentials") })
        {
            await Api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = key });
            var state = await Api.WaitForSessionAsync(client, sessionId);
            Assert.Equal("pending", state.GetProperty("status").GetString());
            Assert.Equal(code, state.GetProperty("error").GetProperty("code").GetString());
            Assert.False(state.TryGetProperty("code", out _));
            Assert.DoesNotContain(key, state.GetRawText(), StringComparison.Ordinal);
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, $"/connect/api/{sessionId}", null))
        {
            var page = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal("invalid_credentials", page.GetProperty("error").GetProperty("code").GetString());
            Assert.Equal("sandbox-stripe", Assert.Single(page.GetProperty("providers").EnumerateArray()).GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Five_failed_attempts_end_the_session()
    {
        var client = await Api.CreateClientAsync();
        var sessionId = (await Api.OpenSessionAsync(client, new { end_user_id = "u1" })).GetProperty("session_id").GetString()!;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await Api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = $"rk_test_invalid{attempt:000}" });
            var state = await Api.WaitForSessionAsync(client, sessionId);
            Assert.Equal(attempt < 5 ? "pending" : "failed", state.GetProperty("status").GetString());
        }

        var refused = await Api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = "rk_test_goodkey01" }, HttpStatusCode.Conflict);
        Assert.Equal("conflict", refused.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_expired_session_answers_410_to_the_end_user()
    {
        // A host of its own whose sessions live 2 seconds; the shared one keeps the default so that slow
        // multi-step tests never race the expiry.
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:Grains:SessionLifetime=00:00:02"]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "u1" })).GetProperty("session_id").GetString()!;
        await Task.Delay(TimeSpan.FromSeconds(3));

        using (var response = await api.SendAsync(HttpMethod.Get, $"/connect/api/{sessionId}", null))
        {
            var problem = await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Gone, "session_expired");
            Assert.Equal("user", problem.GetProperty("actor").GetString());
        }

        var refused = await api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = "rk_test_toolate01" }, HttpStatusCode.Gone);
        Assert.Equal("session_expired", refused.GetProperty("code").GetString());
        Assert.Equal("expired", (await api.WaitForSessionAsync(client, sessionId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_repair_session_keeps_the_connection_id_and_token()
    {
        var client = await Api.CreateClientAsync();
        var (connectionId, token) = await Api.ConnectAsync(client, "rk_test_firstkey01", "repair-user");
        using var before = await Api.SendAsync(HttpMethod.Get, "/v1/transactions?limit=1", ApiClient.Bearer(token));
        var firstId = (await ApiClient.ExpectAsync(before, HttpStatusCode.OK)).GetProperty("data")[0].GetProperty("id").GetString();

        var session = await Api.OpenSessionAsync(client, new { end_user_id = "repair-user", connection_id = connectionId });
        var sessionId = session.GetProperty("session_id").GetString()!;
        await Api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = "rk_test_secondkey2" });
        var done = await Api.WaitForSessionAsync(client, sessionId);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var (repairedId, _) = await Api.ExchangeAsync(client, done.GetProperty("code").GetString()!);
        Assert.Equal(connectionId, repairedId);

        // The old token still works and now reads the new account's data; no duplicate connection exists.
        using var after = await Api.SendAsync(HttpMethod.Get, "/v1/transactions?limit=1", ApiClient.Bearer(token));
        var secondId = (await ApiClient.ExpectAsync(after, HttpStatusCode.OK)).GetProperty("data")[0].GetProperty("id").GetString();
        Assert.NotEqual(firstId, secondId);
        using var list = await Api.SendAsync(HttpMethod.Get, "/v1/connections?end_user_id=repair-user", ApiClient.Basic(client));
        Assert.Single((await ApiClient.ExpectAsync(list, HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
    }
}
