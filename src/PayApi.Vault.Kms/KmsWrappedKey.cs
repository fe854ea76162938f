using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace PayApi.Vault.Kms;

/// <summary>
/// The stored form of a KMS-wrapped data key: <c>kms1:&lt;base64url(key ARN)&gt;:&lt;base64url(CiphertextBlob)&gt;</c>,
/// no padding. The ARN is the one KMS returned, so a reader knows which key to name in <c>Decrypt</c> without trusting
/// the blob; the blob itself is KMS's and authenticated by KMS (with the encryption context) on every use.
/// </summary>
internal sealed record KmsWrappedKey(string KeyArn, byte[] CiphertextBlob)
{
    public const string Prefix = "kms1:";

    // KMS ciphertext blobs are at most 6144 bytes and ARNs at most 2048 characters; anything longer is not ours.
    private const int MaxBlobBytes = 6144;
    private const int MaxArnBytes = 2048;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool HasPrefix(string? wrapped) => wrapped is not null && wrapped.StartsWith(Prefix, StringComparison.Ordinal);

    public string Format() =>
        Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(KeyArn)) + ":" + Base64Url.EncodeToString(CiphertextBlob);

    /// <exception cref="CiphertextRejectedException">Not a well-formed <c>kms1</c> value.</exception>
    public static KmsWrappedKey Parse(string? wrapped)
    {
        if (!HasPrefix(wrapped))
        {
            throw new CiphertextRejectedException("malformed");
        }

        var parts = wrapped!.Split(':');
        if (parts.Length != 3)
        {
            throw new CiphertextRejectedException("malformed");
        }

        var arnBytes = DecodeCanonical(parts[1], MaxArnBytes);
        string arn;
        try
        {
            arn = StrictUtf8.GetString(arnBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new CiphertextRejectedException("malformed");
        }

        if (!arn.StartsWith("arn:", StringComparison.Ordinal) || arn.Any(char.IsControl))
        {
            throw new CiphertextRejectedException("malformed");
        }

        return new KmsWrappedKey(arn, DecodeCanonical(parts[2], MaxBlobBytes));
    }

    /// <summary>Base64url that must be the one canonical encoding of its bytes, so two texts never name one value.</summary>
    private static byte[] DecodeCanonical(string text, int maxBytes)
    {
        if (text.Length == 0 || text.Length > Base64Url.GetEncodedLength(maxBytes))
        {
            throw new CiphertextRejectedException("malformed");
        }

        var buffer = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.DecodeFromChars(text, buffer, out var consumed, out var written) != OperationStatus.Done || consumed != text.Length)
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
}
