using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PayApi.Contracts;

namespace PayApi.Gateway.Auth;

/// <summary>What a valid access token names: a connection, its client and its token generation.</summary>
public sealed record AccessTokenClaims(string ConnectionId, string ClientId, long Generation, string TokenId);

/// <summary>
/// ES256 JWTs as docs/api.md fixes them. Validation allows exactly one algorithm and one key id, and checks
/// the audience and issuer; the connection grain then checks the client and generation against its state.
/// </summary>
public sealed class AccessTokens(IGrainFactory grains, TimeProvider time)
{
    private readonly VerifiedTokens _verified = new();

    public const string Issuer = "payapi";
    public const string Audience = "payapi";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string KeyId, ECDsa Key)? _key;

    public async Task<string> IssueAsync(string connectionId, string clientId, long generation)
    {
        var (keyId, key) = await KeyAsync();
        var header = new Dictionary<string, object> { ["alg"] = "ES256", ["typ"] = "JWT", ["kid"] = keyId };
        var payload = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = connectionId,
            ["cid"] = clientId,
            ["iat"] = time.GetUtcNow().ToUnixTimeSeconds(),
            ["jti"] = Ids.Random(24),
            ["gen"] = generation,
        };
        var signingInput = Segment(header) + "." + Segment(payload);
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Returns the claims of a well-signed token of ours, or null for anything else.</summary>
    public async Task<AccessTokenClaims?> ValidateAsync(string token)
    {
        if (token.Length > 2048)
        {
            return null;
        }

        if (_verified.TryGet(token, out var known))
        {
            return known;
        }

        var claims = await VerifyAsync(token);
        if (claims is not null)
        {
            _verified.Add(token, claims);
        }

        return claims;
    }

    /// <summary>
    /// The connection and client a token claims to be for, read without verifying anything: they only name whose
    /// failure budget a wrong token spends (<see cref="AuthFailureThrottle"/>), never who the caller is.
    /// </summary>
    public static (string ConnectionId, string ClientId)? ClaimedIdentity(string token)
    {
        var parts = token.Split('.');
        if (token.Length > 2048 || parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var body = payload.RootElement;
            var (sub, cid) = body.ValueKind == JsonValueKind.Object ? (Text(body, "sub"), Text(body, "cid")) : (null, null);
            return Ids.IsWellFormed(sub, Ids.ConnectionPrefix) && Ids.IsWellFormed(cid, Ids.ClientPrefix) ? (sub!, cid!) : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private async Task<AccessTokenClaims?> VerifyAsync(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            var (keyId, key) = await KeyAsync();
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES256"
                || !header.RootElement.TryGetProperty("kid", out var kid) || kid.ValueKind != JsonValueKind.String || kid.GetString() != keyId)
            {
                return null;
            }

            var signature = Base64Url.DecodeFromChars(parts[2]);
            if (signature.Length != 64
                || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return null;
            }

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var body = payload.RootElement;
            if (Text(body, "iss") != Issuer || Text(body, "aud") != Audience)
            {
                return null;
            }

            var sub = Text(body, "sub");
            var cid = Text(body, "cid");
            var jti = Text(body, "jti");
            if (!Ids.IsWellFormed(sub, Ids.ConnectionPrefix) || !Ids.IsWellFormed(cid, Ids.ClientPrefix) || jti is null
                || !body.TryGetProperty("gen", out var gen) || !gen.TryGetInt64(out var generation))
            {
                return null;
            }

            return new AccessTokenClaims(sub!, cid!, generation, jti);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or CryptographicException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Segment(Dictionary<string, object> value) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    private async ValueTask<(string KeyId, ECDsa Key)> KeyAsync()
    {
        if (_key is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync();
        try
        {
            if (_key is null)
            {
                var material = await grains.GetGrain<ITokenKeyGrain>(0).GetSigningKeyAsync();
                var key = ECDsa.Create();
                key.ImportPkcs8PrivateKey(material.Pkcs8PrivateKey, out _);
                CryptographicOperations.ZeroMemory(material.Pkcs8PrivateKey);
                _key = (material.KeyId, key);
            }

            return _key.Value;
        }
        finally
        {
            _gate.Release();
        }
    }
}
