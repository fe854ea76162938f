using System.Security.Cryptography;
using System.Text;

namespace PayApi.Grains;

/// <summary>
/// Hashing of high-entropy secrets we generate (client secrets, exchange codes). They carry over 200
/// random bits, so a plain SHA-256 cannot be brute-forced and a slow password hash would buy nothing.
/// </summary>
internal static class SecretHash
{
    public static byte[] Of(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool Matches(byte[]? expectedHash, string presented) =>
        expectedHash is { Length: 32 } && CryptographicOperations.FixedTimeEquals(expectedHash, Of(presented));
}
