using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PayApi.Client;

/// <summary>Verifies the <c>PayApi-Signature</c> header of a webhook delivery.</summary>
/// <remarks>
/// The header is <c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=&lt;hex&gt;]</c>; each <c>v1</c> is
/// HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;"). During a secret rotation the header carries one
/// <c>v1</c> per signing secret, so a receiver that knows either secret accepts the event. The timestamp
/// bounds replays: an event signed longer ago than the tolerance is refused even with a valid MAC.
/// </remarks>
public static class WebhookSignature
{
    /// <summary>The name of the HTTP header that carries the signature.</summary>
    public const string HeaderName = "PayApi-Signature";

    /// <summary>The tolerance a receiver should use unless it has a reason not to.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True when <paramref name="header"/> holds a <c>v1</c> signature of <paramref name="rawBody"/> made with
    /// one of <paramref name="secrets"/>, at a time within <paramref name="tolerance"/> of now.
    /// Compare the raw bytes as received: re-serialised JSON will not verify.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> rawBody, string? header, IEnumerable<string> secrets, TimeSpan tolerance, DateTimeOffset? now = null)
        => Check(rawBody, header, secrets, tolerance, now ?? DateTimeOffset.UtcNow) == WebhookSignatureResult.Valid;

    /// <inheritdoc cref="Verify(ReadOnlySpan{byte}, string?, IEnumerable{string}, TimeSpan, DateTimeOffset?)"/>
    public static bool Verify(string rawBody, string? header, IEnumerable<string> secrets, TimeSpan tolerance, DateTimeOffset? now = null)
        => Verify(Encoding.UTF8.GetBytes(rawBody), header, secrets, tolerance, now);

    /// <summary>Like <c>Verify</c>, but says why a signature was refused.</summary>
    public static WebhookSignatureResult Check(ReadOnlySpan<byte> rawBody, string? header, IEnumerable<string> secrets, TimeSpan tolerance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (tolerance < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(tolerance));
        if (!TryParse(header, out var timestamp, out var signatures)) return WebhookSignatureResult.Malformed;

        var signedAt = DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if ((now - signedAt).Duration() > tolerance) return WebhookSignatureResult.OutsideTolerance;

        var payload = Payload(timestamp, rawBody);
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var matched = false;
        foreach (var secret in secrets)
        {
            if (string.IsNullOrEmpty(secret)) continue;
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload, expected);
            // Every candidate is compared in full, whatever matched before, so the time taken says nothing
            // about which secret or signature was right.
            foreach (var signature in signatures)
                matched |= CryptographicOperations.FixedTimeEquals(expected, signature);
        }
        return matched ? WebhookSignatureResult.Valid : WebhookSignatureResult.NoMatch;
    }

    /// <summary>
    /// Builds a header for <paramref name="rawBody"/> signed with each of <paramref name="secrets"/> at
    /// <paramref name="signedAt"/>: for a receiver's own tests.
    /// </summary>
    public static string Sign(ReadOnlySpan<byte> rawBody, IEnumerable<string> secrets, DateTimeOffset signedAt)
    {
        var timestamp = signedAt.ToUnixTimeSeconds();
        var payload = Payload(timestamp, rawBody);
        var header = new StringBuilder("t=").Append(timestamp.ToString(CultureInfo.InvariantCulture));
        foreach (var secret in secrets)
            header.Append(",v1=").Append(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload)));
        return header.ToString();
    }

    private static byte[] Payload(long timestamp, ReadOnlySpan<byte> rawBody)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var payload = new byte[prefix.Length + rawBody.Length];
        prefix.CopyTo(payload, 0);
        rawBody.CopyTo(payload.AsSpan(prefix.Length));
        return payload;
    }

    private static bool TryParse(string? header, out long timestamp, out List<byte[]> signatures)
    {
        timestamp = 0;
        signatures = [];
        if (string.IsNullOrWhiteSpace(header) || header.Length > 4096) return false;
        var sawTimestamp = false;
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (key == "t")
            {
                if (sawTimestamp || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp)) return false;
                sawTimestamp = true;
            }
            else if (key == "v1" && value.Length == HMACSHA256.HashSizeInBytes * 2)
            {
                try { signatures.Add(Convert.FromHexString(value)); }
                catch (FormatException) { /* not hex: not a signature of ours; other entries may still match */ }
            }
            // Other schemes (v0, future v2) are ignored, as a receiver must to stay compatible.
        }
        return sawTimestamp && signatures.Count > 0 && timestamp is > 0 and < 253402300800;
    }
}

/// <summary>Why a webhook signature was accepted or refused.</summary>
public enum WebhookSignatureResult
{
    /// <summary>A signature matched one of the secrets, within the tolerance.</summary>
    Valid,
    /// <summary>The header is missing, or has no timestamp or no <c>v1</c> signature.</summary>
    Malformed,
    /// <summary>The timestamp is further from now than the tolerance allows (a replay, or a skewed clock).</summary>
    OutsideTolerance,
    /// <summary>No signature matched any secret: wrong secret, or the body was altered.</summary>
    NoMatch,
}
