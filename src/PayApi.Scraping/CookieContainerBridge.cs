using System.Net;

namespace PayApi.Scraping;

/// <summary>
/// Moves a stored jar into a <see cref="CookieContainer"/> for plain-HTTP keep-alives and back out,
/// so a session refreshed without a browser keeps the cookies the provider rotated.
/// </summary>
public static class CookieContainerBridge
{
    public static CookieContainer ToContainer(IEnumerable<StoredCookie> cookies)
    {
        ArgumentNullException.ThrowIfNull(cookies);
        var container = new CookieContainer();
        foreach (var stored in cookies)
        {
            var cookie = new Cookie(stored.Name, stored.Value, string.IsNullOrEmpty(stored.Path) ? "/" : stored.Path, stored.Domain)
            {
                HttpOnly = stored.HttpOnly,
                Secure = stored.Secure,
            };
            if (!stored.IsSession)
            {
                cookie.Expires = DateTimeOffset.FromUnixTimeMilliseconds((long)(stored.Expires * 1000)).UtcDateTime;
            }

            container.Add(cookie);
        }

        return container;
    }

    /// <summary>
    /// The container's live cookies. <see cref="Cookie"/> has no SameSite, so it is carried over from
    /// <paramref name="previous"/> for cookies that existed before, and Lax (browsers' default) otherwise.
    /// </summary>
    public static IReadOnlyList<StoredCookie> FromContainer(CookieContainer container, IEnumerable<StoredCookie>? previous = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        var sameSite = (previous ?? [])
            .GroupBy(c => (c.Name, Domain: NormalizeDomain(c.Domain), c.Path))
            .ToDictionary(g => g.Key, g => g.Last().SameSite);
        var result = new List<StoredCookie>();
        foreach (Cookie cookie in container.GetAllCookies())
        {
            if (cookie.Expired)
            {
                continue;
            }

            var expires = cookie.Expires == DateTime.MinValue
                ? StoredCookie.SessionExpiry
                : new DateTimeOffset(DateTime.SpecifyKind(cookie.Expires.ToUniversalTime(), DateTimeKind.Utc)).ToUnixTimeSeconds();
            var key = (cookie.Name, NormalizeDomain(cookie.Domain), cookie.Path);
            result.Add(new StoredCookie(
                cookie.Name,
                cookie.Value,
                cookie.Domain,
                cookie.Path,
                expires,
                cookie.HttpOnly,
                cookie.Secure,
                sameSite.TryGetValue(key, out var s) ? s : CookieSameSite.Lax));
        }

        return result;
    }

    private static string NormalizeDomain(string domain) => domain.TrimStart('.').ToLowerInvariant();
}
