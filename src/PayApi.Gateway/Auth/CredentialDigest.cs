using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace PayApi.Gateway.Auth;

/// <summary>128 bits of SHA-256 of a credential: what the gateway remembers of one instead of the credential itself.</summary>
internal static class CredentialDigest
{
    // Collisions among a hundred thousand remembered credentials are out of reach at 128 bits.
    public static UInt128 Of(string credential)
    {
        var length = Encoding.UTF8.GetMaxByteCount(credential.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(credential, rented);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(rented.AsSpan(0, written), hash);
            return MemoryMarshal.Read<UInt128>(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
