using System.Text.RegularExpressions;

namespace PayApi.Providers;

/// <summary>
/// Shape checks on a pasted key, so an obviously wrong value is refused without a network call
/// and nothing odd (spaces, line breaks) ever reaches an HTTP header.
/// </summary>
internal static partial class StripeKeyFormat
{
    public static bool IsPublishable(string key) => key.StartsWith("pk_", StringComparison.Ordinal);

    /// <summary>
    /// Organisation keys (Stripe documents <c>sk_org_</c>; <c>rk_org_</c> is refused alike) reach every account of an
    /// organisation and need a <c>Stripe-Context</c> header naming one; a connection is one account.
    /// </summary>
    public static bool IsOrganisation(string key) =>
        key.StartsWith("sk_org_", StringComparison.Ordinal) || key.StartsWith("rk_org_", StringComparison.Ordinal);

    /// <summary>A secret key can do everything in its account; it is refused without probing any write endpoint.</summary>
    public static bool IsSecret(string key) => key.StartsWith("sk_", StringComparison.Ordinal);

    public static bool IsWellFormed(string key) => KeyShape().IsMatch(key);

    [GeneratedRegex("^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShape();
}
