using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PayApi.Sandbox.Bank;

/// <summary>
/// The "remember this device" cookie: the username and an expiry, HMAC-signed. It is stateless on
/// purpose so it survives a sandbox restart, which is what lets tests prove that a remembered device
/// skips MFA even after the bank "redeployed" and forgot every session.
/// </summary>
internal static class BankDeviceCookie
{
    public const string Name = "bank_device";

    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    // A fixed, public secret: this is a fake bank, and a per-process key would break the restart promise.
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("payapi-sandbox-bank-device-cookie-v1");

    public static string Issue(string username, DateTimeOffset now)
    {
        var payload = string.Create(CultureInfo.InvariantCulture, $"v1|{username}|{(now + Lifetime).ToUnixTimeSeconds()}");
        var payloadBytes = Encoding.UTF8.GetBytes(payload);
        return Base64Url.EncodeToString(payloadBytes) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Secret, payloadBytes));
    }

    /// <summary>True when the cookie is genuine, unexpired and was issued to <paramref name="username"/>.</summary>
    public static bool IsValidFor(string? cookie, string username, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(cookie))
        {
            return false;
        }

        var dot = cookie.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }

        byte[] payloadBytes;
        byte[] signature;
        try
        {
            payloadBytes = Base64Url.DecodeFromChars(cookie.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(cookie.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Secret, payloadBytes), signature))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(payloadBytes).Split('|');
        return parts.Length == 3
            && parts[0] == "v1"
            && string.Equals(parts[1], username, StringComparison.Ordinal)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && now.ToUnixTimeSeconds() < expires;
    }
}
