using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace PayApi.Vault;

/// <summary>
/// The stored format <c>v1:&lt;key id&gt;:&lt;iv&gt;:&lt;tag&gt;:&lt;ciphertext&gt;:&lt;mac&gt;</c> (base64url, no padding):
/// AES-256-GCM inside, HMAC-SHA256 over the whole text before <c>:&lt;mac&gt;</c> outside.
/// </summary>
internal static class CiphertextFormat
{
    private const string Version = "v1";
    private const int IvSize = 12;
    private const int TagSize = 16;
    private const int MacSize = 32;

    public static string Seal(SubkeyPair keys, string keyId, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        if (!IsValidKeyId(keyId))
        {
            throw new ArgumentException("A key id must be non-empty ASCII letters, digits, '.', '_' or '-'.", nameof(keyId));
        }

        // A random 96-bit IV per seal: the number of seals per data key stays far below the birthday bound.
        Span<byte> iv = stackalloc byte[IvSize];
        RandomNumberGenerator.Fill(iv);
        Span<byte> tag = stackalloc byte[TagSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(keys.EncryptionKey, TagSize))
        {
            aes.Encrypt(iv, plaintext, ciphertext, tag, aad);
        }

        var body = string.Join(':', Version, keyId, Base64Url.EncodeToString(iv), Base64Url.EncodeToString(tag), Base64Url.EncodeToString(ciphertext));
        return body + ":" + Base64Url.EncodeToString(ComputeMac(keys, body));
    }

    /// <summary>Reads the key id without authenticating anything, so the caller can pick the key.</summary>
    public static string ReadKeyId(string sealedValue)
    {
        var parts = Split(sealedValue);
        return parts[1];
    }

    public static byte[] Open(SubkeyPair keys, string expectedKeyId, ReadOnlySpan<byte> aad, string sealedValue)
    {
        var parts = Split(sealedValue);
        if (!string.Equals(parts[1], expectedKeyId, StringComparison.Ordinal))
        {
            throw new CiphertextRejectedException("unexpected key id");
        }

        var iv = DecodeCanonical(parts[2], IvSize);
        var tag = DecodeCanonical(parts[3], TagSize);
        var ciphertext = DecodeCanonical(parts[4], expectedLength: null);
        var mac = DecodeCanonical(parts[5], MacSize);

        // Authenticate the exact stored text (version and key id included) before the cipher sees a byte.
        var body = sealedValue[..sealedValue.LastIndexOf(':')];
        if (!CryptographicOperations.FixedTimeEquals(ComputeMac(keys, body), mac))
        {
            throw new CiphertextRejectedException("integrity check failed");
        }

        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(keys.EncryptionKey, TagSize);
            aes.Decrypt(iv, ciphertext, tag, plaintext, aad);
        }
        catch (CryptographicException)
        {
            // Reached when the MAC is genuine but the AAD differs: the value was moved to another owner or field.
            CryptographicOperations.ZeroMemory(plaintext);
            throw new CiphertextRejectedException("decryption failed");
        }

        return plaintext;
    }

    private static byte[] ComputeMac(SubkeyPair keys, string body) =>
        HMACSHA256.HashData(keys.MacKey, Encoding.UTF8.GetBytes(body));

    private static string[] Split(string? sealedValue)
    {
        if (string.IsNullOrEmpty(sealedValue))
        {
            throw new CiphertextRejectedException("empty");
        }

        var parts = sealedValue.Split(':');
        if (parts.Length != 6 || !string.Equals(parts[0], Version, StringComparison.Ordinal) || !IsValidKeyId(parts[1]))
        {
            throw new CiphertextRejectedException("malformed");
        }

        return parts;
    }

    /// <summary>
    /// Decodes base64url and insists the text is the one canonical encoding of the bytes. Without this, a
    /// changed padding bit in the last character would decode to the same MAC and a modified string would pass.
    /// </summary>
    private static byte[] DecodeCanonical(string text, int? expectedLength)
    {
        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.DecodeFromChars(text, buffer, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != text.Length
            || (expectedLength is { } length && written != length))
        {
            throw new CiphertextRejectedException("malformed");
        }

        var bytes = buffer.AsSpan(0, written).ToArray();
        if (!string.Equals(Base64Url.EncodeToString(bytes), text, StringComparison.Ordinal))
        {
            throw new CiphertextRejectedException("malformed");
        }

        return bytes;
    }

    private static bool IsValidKeyId(string keyId) =>
        keyId.Length is > 0 and <= 128 && keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
