using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PayApi.Grains.Webhooks;

/// <summary>
/// The <c>PayApi-Signature</c> header: <c>t=&lt;unix seconds&gt;</c> and one <c>v1=</c> per signing secret, each the hex
/// HMAC-SHA256 of <c>"&lt;t&gt;.&lt;raw body&gt;"</c> under that secret.
/// </summary>
public static class WebhookSigner
{
    public const string HeaderName = "PayApi-Signature";

    public static string Sign(ReadOnlySpan<byte> body, IEnumerable<string> secrets, DateTimeOffset at)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var prefix = Encoding.ASCII.GetBytes(t + ".");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        var header = new StringBuilder("t=").Append(t);
        foreach (var secret in secrets)
        {
            var key = Encoding.UTF8.GetBytes(secret);
            header.Append(",v1=").Append(Convert.ToHexStringLower(HMACSHA256.HashData(key, payload)));
            CryptographicOperations.ZeroMemory(key);
        }

        return header.ToString();
    }
}
