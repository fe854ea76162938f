using System.Net;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>Answers that carry a client secret, an access token, an exchange code or provider data are never cached.</summary>
public sealed class NoStoreTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task Secrets_tokens_codes_and_provider_data_are_sent_no_store()
    {
        string clientId, secret;
        using (var response = await Api.SendAsync(HttpMethod.Post, "/admin/v1/clients", ApiClient.Admin(), new { name = "Acme" }))
        {
            var created = await ExpectNoStoreAsync(response, HttpStatusCode.Created);
            clientId = created.GetProperty("client_id").GetString()!;
        }

        using (var response = await Api.SendAsync(HttpMethod.Post, $"/admin/v1/clients/{clientId}/rotate-secret", ApiClient.Admin()))
        {
            secret = (await ExpectNoStoreAsync(response, HttpStatusCode.OK)).GetProperty("client_secret").GetString()!;
        }

        var client = (clientId, secret);
        var sessionId = (await Api.OpenSessionAsync(client, new { end_user_id = "u1" })).GetProperty("session_id").GetString()!;
        await Api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = "rk_test_nostore0001" });
        await Api.WaitForSessionAsync(client, sessionId);

        string code;
        using (var response = await Api.SendAsync(HttpMethod.Get, $"/v1/connect/sessions/{sessionId}", ApiClient.Basic(client)))
        {
            code = (await ExpectNoStoreAsync(response, HttpStatusCode.OK)).GetProperty("code").GetString()!;
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, $"/connect/api/{sessionId}", null))
        {
            await ExpectNoStoreAsync(response, HttpStatusCode.OK);
        }

        string token;
        using (var response = await Api.SendAsync(HttpMethod.Post, "/v1/connections/exchange", ApiClient.Basic(client), new { code }))
        {
            token = (await ExpectNoStoreAsync(response, HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
        }

        foreach (var path in new[] { "/v1/balance", "/v1/transactions", "/v1/payouts", "/v1/connection" })
        {
            using var response = await Api.SendAsync(HttpMethod.Get, path, ApiClient.Bearer(token));
            await ExpectNoStoreAsync(response, HttpStatusCode.OK);
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/connections", ApiClient.Basic(client)))
        {
            await ExpectNoStoreAsync(response, HttpStatusCode.OK);
        }

        // Problem documents of these paths too.
        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/balance", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            AssertNoStore(response);
        }
    }

    private static async Task<System.Text.Json.JsonElement> ExpectNoStoreAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await ApiClient.ExpectAsync(response, status);
        AssertNoStore(response);
        return body;
    }

    private static void AssertNoStore(HttpResponseMessage response)
    {
        var path = response.RequestMessage?.RequestUri?.AbsolutePath;
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path}: Cache-Control is '{response.Headers.CacheControl}'");
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
    }
}
