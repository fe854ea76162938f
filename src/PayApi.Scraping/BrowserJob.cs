namespace PayApi.Scraping;

/// <summary>What a browser job starts with: the connection's proxy (null: direct) and its cookie jar.</summary>
public sealed record BrowserJob(Uri? Proxy, IReadOnlyList<StoredCookie> Cookies)
{
    public override string ToString() => $"BrowserJob {{ Proxy = {Proxy?.GetLeftPart(UriPartial.Authority) ?? "direct"}, Cookies = {Cookies.Count} }}";
}
