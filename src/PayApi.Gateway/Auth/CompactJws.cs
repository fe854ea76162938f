using System.Buffers.Text;
using System.Numerics;

namespace PayApi.Gateway.Auth;

/// <summary>
/// The one encoding of an ES256 compact JWS we accept. A decoder that skips whitespace, tolerates <c>=</c>
/// padding or ignores the spare bits of the last character, and an ECDSA check that takes both <c>s</c> and
/// <c>n − s</c>, each let one token be written many ways; every spelling would then be a new cache key, rate
/// limit bucket or log value for the same credential. Here each token has exactly one accepted text.
/// </summary>
public static class CompactJws
{
    /// <summary>r || s, 32 bytes each, for P-256.</summary>
    public const int SignatureLength = 64;

    // The order n of the P-256 group (SEC 2, secp256r1).
    private static readonly BigInteger Order = BigInteger.Parse(
        "0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    private static readonly BigInteger HalfOrder = Order / 2;

    /// <summary>
    /// Decodes one segment if it is unpadded base64url in its only spelling: nothing but <c>A–Z a–z 0–9 - _</c>,
    /// and the text the decoded bytes encode back to.
    /// </summary>
    public static bool TryDecodeSegment(string segment, out byte[] bytes)
    {
        bytes = [];
        foreach (var c in segment)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return false;
            }
        }

        var decoded = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        if (Base64Url.DecodeFromChars(segment, decoded, out _, out var written) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        decoded = decoded[..written];
        // Re-encoding catches a last character whose unused low bits are set: it decodes to the same bytes.
        if (!string.Equals(Base64Url.EncodeToString(decoded), segment, StringComparison.Ordinal))
        {
            return false;
        }

        bytes = decoded;
        return true;
    }

    /// <summary>True for a 64-byte r || s whose s is at most n/2, the one of the pair (s, n − s) we accept.</summary>
    public static bool IsLowS(ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureLength && S(signature) <= HalfOrder;

    /// <summary>The same signature with s in its low form; .NET (OpenSSL, CNG) returns either at random.</summary>
    public static byte[] ToLowS(byte[] signature) => IsLowS(signature) ? signature : WithOtherS(signature);

    /// <summary>(r, n − s): the other signature that verifies for the same message and key.</summary>
    public static byte[] WithOtherS(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength)
        {
            throw new ArgumentException("An ES256 signature is 64 bytes.", nameof(signature));
        }

        var result = signature.ToArray();
        var other = Order - S(signature);
        var s = result.AsSpan(SignatureLength / 2);
        s.Clear();
        other.TryWriteBytes(s[(s.Length - other.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        return result;
    }

    private static BigInteger S(ReadOnlySpan<byte> signature) =>
        new(signature[(SignatureLength / 2)..], isUnsigned: true, isBigEndian: true);
}
