using System.Diagnostics.CodeAnalysis;

namespace PayApi.Scraping;

/// <summary>Parses and names configured proxies; only plain <c>http://host:port</c> is accepted.</summary>
internal static class ProxyAddress
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out Uri? proxy, [NotNullWhen(false)] out string? problem)
    {
        proxy = null;
        if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri))
        {
            problem = "must be an absolute URL such as http://proxy.internal:3128.";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            problem = "must use the http:// scheme (a forward proxy spoken to in plain HTTP).";
            return false;
        }

        // Credentials in a URL end up in logs and process listings; they are refused rather than masked.
        if (uri.UserInfo.Length > 0)
        {
            problem = "must not carry a user name or password.";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            problem = "must be only http://host:port, without a path or query.";
            return false;
        }

        if (uri.IsDefaultPort && !value.Trim().EndsWith(":80", StringComparison.Ordinal) && !value.Trim().EndsWith(":80/", StringComparison.Ordinal))
        {
            problem = "must name its port explicitly (http://host:port).";
            return false;
        }

        proxy = new Uri(Key(uri));
        problem = null;
        return true;
    }

    /// <summary>The canonical <c>http://host:port</c> form used for comparisons and storage.</summary>
    public static string Key(Uri proxy) => proxy.GetLeftPart(UriPartial.Authority);
}
