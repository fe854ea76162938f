using System.Text.RegularExpressions;

namespace PayApi.Providers;

/// <summary>
/// Shape checks on a pasted key, so an obviously wrong value is refused without a network call
/// and nothing odd (spaces, line breaks) ever reaches an HTTP header.
/// </summary>
internal static partial class StripeKeyFormat
{
    public static bool IsPublishable(string key) => key.StartsWith("pk_", StringComparison.Ordinal);

    public static bool IsWellFormed(string key) => KeyShape().IsMatch(key);

    [GeneratedRegex("^(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyShape();
}
