using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PayApi.Contracts;

namespace PayApi.Gateway.Auth;

/// <summary>What a valid access token names: a connection, its client and its token generation.</summary>
public sealed record AccessTokenClaims(string ConnectionId, string ClientId, long Generation, string TokenId)
{
    /// <summary>The token's request-rate bucket (<see cref="Http.CallerLimits"/>), built once per verified token rather than per request.</summary>
    public string CallerKey { get; } = $"token:{ConnectionId}:{TokenId}";
}

/// <summary>
/// ES256 JWTs as docs/api.md fixes them. Validation allows exactly one algorithm and one key id, one spelling of
/// each token (<see cref="CompactJws"/>), and checks the audience and issuer; the connection grain then checks the
/// client and generation against its state.
/// </summary>
public sealed class AccessTokens(IGrainFactory grains, TimeProvider time)
{
    private readonly VerifiedTokens _verified = new();

    public const string Issuer = "payapi";
    public const string Audience = "payapi";

    // The header we issue names alg, typ and kid, nothing else (no crit, jku, jwk, x5u to honour or ignore).
    private static readonly string[] HeaderMembers = ["alg", "typ", "kid"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string KeyId, ECDsa Key, DateTimeOffset LowSSince)? _key;

    public async Task<string> IssueAsync(string connectionId, string clientId, long generation)
    {
        var (keyId, key, _) = await KeyAsync();
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
        return signingInput + "." + Base64Url.EncodeToString(CompactJws.ToLowS(signature));
    }

    /// <summary>The claims of a token this gateway verified before, without verifying it again.</summary>
    public bool TryRecall(string token, out AccessTokenClaims claims)
    {
        claims = null!;
        return token.Length <= 2048 && _verified.TryGet(token, out claims);
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

    // Only the canonical text of a token verifies (see CompactJws), so what the cache above remembers, and
    // whatever keys on a validated token, is that one text: a respelled variant never matches, it is refused.
    private async Task<AccessTokenClaims?> VerifyAsync(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3
            || !CompactJws.TryDecodeSegment(parts[0], out var headerJson)
            || !CompactJws.TryDecodeSegment(parts[1], out var payloadJson)
            || !CompactJws.TryDecodeSegment(parts[2], out var signature))
        {
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(headerJson);
            var (keyId, key, lowSSince) = await KeyAsync();
            var head = header.RootElement;
            if (!IsPlainObject(head, HeaderMembers) || Text(head, "typ") != "JWT" || Text(head, "kid") != keyId)
            {
                return null;
            }

            // Exactly one algorithm, a case-sensitive string; anything else (none, HS256, ES384, es256, 1, missing) is refused.
            if (!head.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES256")
            {
                return null;
            }

            // A high-S signature is the other spelling of a low-S one; only tokens issued before this service signed low-S
            // only may carry it (checked against their iat below), since those were handed out in either form.
            var lowS = CompactJws.IsLowS(signature);
            if (signature.Length != CompactJws.SignatureLength
                || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return null;
            }

            using var payload = JsonDocument.Parse(payloadJson);
            var body = payload.RootElement;
            if (!IsPlainObject(body, allowed: null) || Text(body, "iss") != Issuer || Text(body, "aud") != Audience)
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

            if (!lowS && !(body.TryGetProperty("iat", out var iat) && iat.TryGetInt64(out var issuedAt) && issuedAt < lowSSince.ToUnixTimeSeconds()))
            {
                return null;
            }

            return new AccessTokenClaims(sub!, cid!, generation, jti);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or CryptographicException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    // A JSON object with each member once (a parser that keeps the first and one that keeps the last must not
    // read two different tokens), and, when a list is given, no member outside it.
    private static bool IsPlainObject(JsonElement element, string[]? allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in element.EnumerateObject())
        {
            if (!seen.Add(member.Name) || (allowed is not null && !allowed.Contains(member.Name)))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Segment(Dictionary<string, object> value) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));

    private async ValueTask<(string KeyId, ECDsa Key, DateTimeOffset LowSSince)> KeyAsync()
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
                _key = (material.KeyId, key, material.LowSSince);
            }

            return _key.Value;
        }
        finally
        {
            _gate.Release();
        }
    }
}
