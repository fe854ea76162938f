using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PayApi.Contracts;
using PayApi.Gateway.Auth;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// An access token has one accepted spelling and one accepted algorithm. The forgeries here carry a signature made
/// with the service's real signing key, so the check under test is the only thing that can refuse them.
/// </summary>
public sealed class AccessTokenEncodingTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task Issued_tokens_are_unpadded_base64url_with_a_64_byte_low_s_signature()
    {
        var tokens = fixture.Host.Service<AccessTokens>();
        // .NET returns s or n - s at random: 32 tokens all low-S by chance is a 1 in 4 billion event.
        for (var i = 0; i < 32; i++)
        {
            var token = await tokens.IssueAsync(Ids.NewConnectionId(), Ids.NewClientId(), 1);
            var parts = token.Split('.');
            Assert.Equal(3, parts.Length);
            Assert.All(parts, p => Assert.True(CompactJws.TryDecodeSegment(p, out _), $"not canonical base64url: {p}"));
            var signature = Base64Url.DecodeFromChars(parts[2]);
            Assert.Equal(64, signature.Length);
            Assert.True(CompactJws.IsLowS(signature), $"high-S signature issued: {parts[2]}");
        }
    }

    [Fact]
    public async Task Respelled_variants_of_a_valid_token_get_401()
    {
        var alice = await Api.CreateClientAsync("Alice");
        var (_, token) = await Api.ConnectAsync(alice, "rk_test_respell0001");
        // The real token is verified (and remembered) first: no variant of it may pass on that memory.
        await ExpectStatusAsync(token, HttpStatusCode.OK);

        var parts = token.Split('.');
        var (header, payload, signature) = (parts[0], parts[1], parts[2]);
        var highS = Base64Url.EncodeToString(CompactJws.WithOtherS(Base64Url.DecodeFromChars(signature)));
        var variants = new List<string>
        {
            $"{header}.{payload}.{highS}",
            $"{header}.{payload}.{signature}==",
            $"{header}.{payload}.{signature[..10]} {signature[10..]}",
            $"{header}.{payload}.{signature[..10]}\t{signature[10..]}",
            $"{header}.{payload[..5]} {payload[5..]}.{signature}",
            $"{header[..5]}\t{header[5..]}.{payload}.{signature}",
            $"{header}.{payload}.{signature[..^1]}{SpareBitsSet(signature[^1])}",
            $"{header}.{payload}.{signature[..10]}*{signature[10..]}",
            ToStandardBase64(token),
            $"{header}=.{payload}.{signature}",
        };

        foreach (var variant in variants)
        {
            await ExpectStatusAsync(variant, HttpStatusCode.Unauthorized);
        }

        await ExpectStatusAsync(token, HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("\"ES256\"", HttpStatusCode.OK)]
    [InlineData("\"none\"", HttpStatusCode.Unauthorized)]
    [InlineData("\"HS256\"", HttpStatusCode.Unauthorized)]
    [InlineData("\"ES384\"", HttpStatusCode.Unauthorized)]
    [InlineData("\"es256\"", HttpStatusCode.Unauthorized)]
    [InlineData("1", HttpStatusCode.Unauthorized)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Claims_re_signed_with_the_real_key_are_accepted_only_under_alg_ES256(string? algJson, HttpStatusCode expected)
    {
        var alice = await Api.CreateClientAsync("Alice");
        var (_, token) = await Api.ConnectAsync(alice, "rk_test_algcheck0001");
        var material = await fixture.Host.Service<IGrainFactory>().GetGrain<ITokenKeyGrain>(0).GetSigningKeyAsync();
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(material.Pkcs8PrivateKey, out _);

        // The issued header's shape with only alg changed (or left out); the claims are the valid token's own bytes.
        var alg = algJson is null ? "" : $"\"alg\":{algJson},";
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{{alg}\"typ\":\"JWT\",\"kid\":\"{material.KeyId}\"}}"));
        var input = header + "." + token.Split('.')[1];
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        await ExpectStatusAsync(input + "." + Base64Url.EncodeToString(CompactJws.ToLowS(signature)), expected);
    }

    [Fact]
    public async Task A_token_issued_before_signatures_were_low_s_keeps_working_in_the_form_it_was_issued()
    {
        var alice = await Api.CreateClientAsync("Alice");
        var (_, token) = await Api.ConnectAsync(alice, "rk_test_legacyhighs01");
        var material = await fixture.Host.Service<IGrainFactory>().GetGrain<ITokenKeyGrain>(0).GetSigningKeyAsync();
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(material.Pkcs8PrivateKey, out _);

        // The same claims as issued by an earlier build, before this key signed low-S only: either form of S verifies.
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(token.Split('.')[1]))!;
        await ExpectLegacyAsync(material.LowSSince.AddMinutes(-1), HttpStatusCode.OK);
        await ExpectLegacyAsync(material.LowSSince.AddSeconds(1), HttpStatusCode.Unauthorized);

        async Task ExpectLegacyAsync(DateTimeOffset issuedAt, HttpStatusCode highS)
        {
            var body = new Dictionary<string, object>(claims.Select(c => KeyValuePair.Create(c.Key, (object)c.Value))) { ["iat"] = issuedAt.ToUnixTimeSeconds() };
            var input = token.Split('.')[0] + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(body));
            var signature = CompactJws.ToLowS(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            await ExpectStatusAsync(input + "." + Base64Url.EncodeToString(signature), HttpStatusCode.OK);
            await ExpectStatusAsync(input + "." + Base64Url.EncodeToString(CompactJws.WithOtherS(signature)), highS);
        }
    }

    private async Task ExpectStatusAsync(string token, HttpStatusCode status)
    {
        // Sent as is: the typed Authorization header would refuse or re-format the odd spellings under test.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/balance");
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token));
        using var response = await Api.Http.SendAsync(request);
        if (status == HttpStatusCode.OK)
        {
            await ApiClient.ExpectAsync(response, status);
        }
        else
        {
            await ApiClient.ExpectProblemAsync(response, status, "unauthorized");
        }
    }

    // The last of 86 characters carries 2 bits of the signature and 4 spare ones; a lenient decoder ignores those.
    private static char SpareBitsSet(char last)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return alphabet[alphabet.IndexOf(last, StringComparison.Ordinal) | 0b0001];
    }

    // A token of some 400 characters with no '-' or '_' anywhere is a 1 in 300,000 event.
    private static string ToStandardBase64(string token)
    {
        var standard = token.Replace('-', '+').Replace('_', '/');
        Assert.NotEqual(token, standard);
        return standard;
    }
}
