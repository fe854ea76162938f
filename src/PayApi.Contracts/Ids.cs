using System.Security.Cryptography;

namespace PayApi.Contracts;

/// <summary>Prefixed, unguessable identifiers (docs/api.md: <c>cli_</c>, <c>cs_</c>, <c>con_</c>, <c>evt_</c>).</summary>
public static class Ids
{
    public const string ClientPrefix = "cli_";
    public const string SessionPrefix = "cs_";
    public const string ConnectionPrefix = "con_";
    public const string EventPrefix = "evt_";

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string NewClientId() => ClientPrefix + Random(20);

    public static string NewSessionId() => SessionPrefix + Random(24);

    public static string NewConnectionId() => ConnectionPrefix + Random(20);

    /// <summary>A random lower-case alphanumeric string; 24 chars carry about 124 bits.</summary>
    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    /// <summary>
    /// The storage key of a connect session: <c>csk_</c> and the SHA-256 of its id in hex. Grain ids are stored in clear
    /// (grain state and reminder rows), and the session id is a bearer capability, so only this digest reaches storage.
    /// </summary>
    public static string SessionKey(string sessionId) =>
        "csk_" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sessionId)));

    /// <summary>True when the id has the prefix and only the characters we generate, so it is safe as a key.</summary>
    public static bool IsWellFormed(string? id, string prefix) =>
        id is not null
        && id.Length > prefix.Length
        && id.Length <= prefix.Length + 64
        && id.StartsWith(prefix, StringComparison.Ordinal)
        && id.AsSpan(prefix.Length).IndexOfAnyExcept(Alphabet) < 0;
}
