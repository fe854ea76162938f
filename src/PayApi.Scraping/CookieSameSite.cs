namespace PayApi.Scraping;

/// <summary>The SameSite attribute of a stored cookie.</summary>
public enum CookieSameSite
{
    Lax,
    Strict,
    None,
}
