using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace PayApi.Sandbox.Stripe;

/// <summary>What kind of key a caller presented: Stripe's secret keys can write, restricted keys here only read.</summary>
internal enum StripeKeyKind
{
    Secret,
    Restricted,
}

/// <summary>
/// An API key the sandbox accepted. Restricted keys read everything and write nothing, unless the key's text asks
/// otherwise: <c>writepayouts</c> may also create payouts, <c>nopayouts</c> may not read payouts, <c>nocharges</c> may not
/// read charges. A <c>_live_</c> key is a live-mode account of its own (<c>livemode: true</c>).
/// </summary>
internal sealed partial record StripeKey(string Value, StripeKeyKind Kind)
{
    public bool Livemode => Value.StartsWith("sk_live_", StringComparison.Ordinal) || Value.StartsWith("rk_live_", StringComparison.Ordinal);

    public bool CanWritePayouts => Kind == StripeKeyKind.Secret || Value.Contains("writepayouts", StringComparison.Ordinal);

    public bool CanReadPayouts => !Value.Contains("nopayouts", StringComparison.Ordinal);

    public bool CanReadCharges => !Value.Contains("nocharges", StringComparison.Ordinal);

    /// <summary>
    /// Reads the key the way Stripe does: <c>Authorization: Bearer KEY</c>, or HTTP Basic with the key
    /// as user name and an empty password. Returns null when there is no usable header at all.
    /// </summary>
    public static string? ReadPresented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var key = header["Bearer ".Length..].Trim();
            return key.Length == 0 ? null : key;
        }

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                var user = decoded.Split(':', 2)[0];
                return user.Length == 0 ? null : user;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Known test keys; anything containing "invalid" plays the part of a revoked or mistyped key.</summary>
    public static StripeKey? Recognize(string presented)
    {
        if (presented.Contains("invalid", StringComparison.OrdinalIgnoreCase) || !KeyShape().IsMatch(presented))
        {
            return null;
        }

        return new StripeKey(presented, presented.StartsWith("sk_", StringComparison.Ordinal) ? StripeKeyKind.Secret : StripeKeyKind.Restricted);
    }

    /// <summary>Stripe's own masking in error messages: the prefix and the last four characters.</summary>
    public static string Mask(string key)
    {
        var prefixEnd = key.IndexOf('_', key.IndexOf('_') + 1) + 1;
        if (prefixEnd <= 0 || key.Length - prefixEnd < 8)
        {
            return new string('*', Math.Min(key.Length, 12));
        }

        return key[..prefixEnd] + new string('*', key.Length - prefixEnd - 4) + key[^4..];
    }

    /// <summary>Never print the key, even through a record's generated ToString.</summary>
    public override string ToString() => $"StripeKey {{ Kind = {Kind} }}";

    [GeneratedRegex("^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShape();
}
