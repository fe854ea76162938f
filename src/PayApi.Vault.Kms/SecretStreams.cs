using System.Security.Cryptography;

namespace PayApi.Vault.Kms;

/// <summary>
/// Moves plaintext key bytes out of the SDK's <see cref="MemoryStream"/>s and wipes the stream's buffer behind them,
/// so the only copy left is the array the caller owns (and zeroes).
/// </summary>
internal static class SecretStreams
{
    public static byte[] TakeAndZero(MemoryStream? stream)
    {
        if (stream is null)
        {
            return [];
        }

        var bytes = stream.ToArray();
        if (stream.TryGetBuffer(out var buffer))
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan());
        }
        else if (stream.CanWrite)
        {
            // A stream over a caller's array hides the buffer but still writes through to it.
            stream.Position = 0;
            stream.Write(new byte[stream.Length]);
        }

        stream.Dispose();
        return bytes;
    }
}
