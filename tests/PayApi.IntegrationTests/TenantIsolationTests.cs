using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>Every query is scoped to its tenant, and only our own, current tokens open a connection.</summary>
public sealed class TenantIsolationTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task Another_client_gets_404_for_my_connections_and_sessions()
    {
        var alice = await Api.CreateClientAsync("Alice");
        var bob = await Api.CreateClientAsync("Bob");
        var (connectionId, _) = await Api.ConnectAsync(alice, "rk_test_alice0001");
        var session = await Api.OpenSessionAsync(alice, new { end_user_id = "u1" });
        var sessionId = session.GetProperty("session_id").GetString()!;

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/v1/connections/{connectionId}"),
            (HttpMethod.Delete, $"/v1/connections/{connectionId}"),
            (HttpMethod.Get, $"/v1/connect/sessions/{sessionId}"),
        })
        {
            using var response = await Api.SendAsync(method, path, ApiClient.Basic(bob));
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/connections", ApiClient.Basic(bob)))
        {
            var list = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Empty(list.GetProperty("data").EnumerateArray());
        }

        // Bob cannot open a repair session on Alice's connection either.
        using (var request = ApiClient.Request(HttpMethod.Post, "/v1/connect/sessions", ApiClient.Basic(bob), new { end_user_id = "user-1", connection_id = connectionId }))
        using (var response = await Api.Http.SendAsync(request))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        }

        // Alice still sees hers.
        using (var response = await Api.SendAsync(HttpMethod.Get, $"/v1/connections/{connectionId}", ApiClient.Basic(alice)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task A_code_exchanged_by_another_client_is_refused_and_stays_usable_by_its_owner()
    {
        var alice = await Api.CreateClientAsync("Alice");
        var bob = await Api.CreateClientAsync("Bob");
        var session = await Api.OpenSessionAsync(alice, new { end_user_id = "u1" });
        var sessionId = session.GetProperty("session_id").GetString()!;
        await Api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = "rk_test_alice0002" });
        var code = (await Api.WaitForSessionAsync(alice, sessionId)).GetProperty("code").GetString()!;

        using (var response = await Api.SendAsync(HttpMethod.Post, "/v1/connections/exchange", ApiClient.Basic(bob), new { code }))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        }

        var (_, token) = await Api.ExchangeAsync(alice, code);
        Assert.False(string.IsNullOrEmpty(token));

        using (var response = await Api.SendAsync(HttpMethod.Post, "/v1/connections/exchange", ApiClient.Basic(alice), new { code }))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        }
    }

    [Fact]
    public async Task Forged_tampered_and_foreign_tokens_get_401()
    {
        var alice = await Api.CreateClientAsync("Alice");
        var (connectionId, token) = await Api.ConnectAsync(alice, "rk_test_alice0003");
        var parts = token.Split('.');
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        var kid = header.RootElement.GetProperty("kid").GetString()!;
        using var payloadDoc = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var payload = payloadDoc.RootElement;
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("payapi", payload.GetProperty("aud").GetString());
        Assert.Equal(connectionId, payload.GetProperty("sub").GetString());
        Assert.Equal(alice.ClientId, payload.GetProperty("cid").GetString());
        Assert.False(payload.TryGetProperty("exp", out _));

        // The real token is verified (and remembered) first: no variant of it may pass on that memory.
        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var claims = JsonSerializer.Deserialize<Dictionary<string, object>>(payload.GetRawText())!;
        var forged = new[]
        {
            Sign(new { alg = "ES256", typ = "JWT", kid }, claims, otherKey),
            Unsigned(new { alg = "none", typ = "JWT", kid }, claims),
            Hs256(new { alg = "HS256", typ = "JWT", kid }, claims),
            parts[0] + "." + Encode(With(claims, "gen", 2)) + "." + parts[2],
            parts[0] + "." + Encode(With(claims, "aud", "someone-else")) + "." + parts[2],
            parts[0] + "." + parts[1] + "." + parts[2][..^4] + "AAAA",
            "not-a-jwt",
            token + ".extra",
        };

        foreach (var bad in forged)
        {
            using var response = await Api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(bad));
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/balance", null))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        // The developer deletes the connection: the token dies with it.
        using (var response = await Api.SendAsync(HttpMethod.Delete, $"/v1/connections/{connectionId}", ApiClient.Basic(alice)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    [Fact]
    public async Task Client_and_admin_credentials_are_checked()
    {
        var alice = await Api.CreateClientAsync("Alice");
        foreach (var auth in new[]
        {
            ApiClient.Basic((alice.ClientId, "wrong-secret")),
            ApiClient.Basic(("cli_doesnotexist000000", alice.Secret)),
            new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "%%%not-base64"),
            ApiClient.Bearer(TestHost.AdminToken),
        })
        {
            using var response = await Api.SendAsync(HttpMethod.Get, "/v1/providers", auth);
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using (var response = await Api.SendAsync(HttpMethod.Post, "/admin/v1/clients", ApiClient.Basic(alice), new { name = "x" }))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        // Rotating the secret retires the old one at once.
        string newSecret;
        using (var response = await Api.SendAsync(HttpMethod.Post, $"/admin/v1/clients/{alice.ClientId}/rotate-secret", ApiClient.Admin()))
        {
            newSecret = (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("client_secret").GetString()!;
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic(alice)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic((alice.ClientId, newSecret))))
        {
            var providers = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            var stripe = providers.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("id").GetString() == "sandbox-stripe");
            Assert.Equal("api_key", stripe.GetProperty("auth").GetString());
            Assert.True(stripe.GetProperty("fields")[0].GetProperty("secret").GetBoolean());
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, $"/admin/v1/clients/{alice.ClientId}", ApiClient.Admin()))
        {
            var info = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal("Alice", info.GetProperty("name").GetString());
            Assert.Equal(0, info.GetProperty("active_connections").GetInt32());
            Assert.False(info.TryGetProperty("client_secret", out _));
        }
    }

    private static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value) =>
        new(claims) { [name] = value };

    private static string Encode(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    private static string Sign(object header, object payload, ECDsa key)
    {
        var input = Encode(header) + "." + Encode(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    private static string Unsigned(object header, object payload) => Encode(header) + "." + Encode(payload) + ".";

    private static string Hs256(object header, object payload)
    {
        var input = Encode(header) + "." + Encode(payload);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes("guessed-secret"), Encoding.ASCII.GetBytes(input));
        return input + "." + Base64Url.EncodeToString(mac);
    }
}
