using System.Security.Cryptography;

namespace PayApi.Vault;

/// <summary>HKDF-SHA256 (RFC 5869) subkey derivation on top of the platform implementation.</summary>
public static class Hkdf
{
    /// <summary>Derives <paramref name="length"/> bytes from <paramref name="parentKey"/>.</summary>
    public static byte[] DeriveSubkey(ReadOnlySpan<byte> parentKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, int length)
    {
        if (parentKey.IsEmpty)
        {
            throw new ArgumentException("The parent key must not be empty.", nameof(parentKey));
        }

        // RFC 5869 caps the output at 255 hash blocks; the platform enforces it too, but a clear message helps.
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 255 * 32);

        var output = new byte[length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, parentKey, output, salt, info);
        return output;
    }
}
