using System.Collections.Concurrent;

namespace PayApi.Gateway.Auth;

/// <summary>
/// Access tokens whose signature this gateway already verified, keyed by a SHA-256 digest of the token (never the
/// token itself), so a token seen before costs a hash instead of an ECDSA verification. Only a token's canonical
/// text verifies (<see cref="CompactJws"/>), so that is the only text ever added: a respelling of a remembered token
/// (padding, whitespace, the other s) misses here and is then refused by the full check. Bounded: past
/// <see cref="Capacity"/> entries it starts over. Only the signature is remembered; whether the connection still
/// exists, and for which client and generation, is checked by its grain on every call. The signing key never
/// changes while a process runs (a rewrap re-seals the same key), so nothing here outlives the key it was checked with.
/// </summary>
public sealed class VerifiedTokens
{
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<UInt128, AccessTokenClaims> _verified = new();

    public bool TryGet(string token, out AccessTokenClaims claims) => _verified.TryGetValue(Digest(token), out claims!);

    public void Add(string token, AccessTokenClaims claims)
    {
        if (_verified.Count >= Capacity)
        {
            _verified.Clear();
        }

        _verified[Digest(token)] = claims;
    }

    private static UInt128 Digest(string token) => CredentialDigest.Of(token);
}
