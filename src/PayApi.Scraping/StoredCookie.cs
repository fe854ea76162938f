namespace PayApi.Scraping;

/// <summary>
/// One cookie of a connection's jar. <see cref="Expires"/> is unix seconds, -1 for a session cookie.
/// <see cref="ToString"/> never shows <see cref="Value"/>: it is a session credential.
/// </summary>
public sealed record StoredCookie(
    string Name,
    string Value,
    string Domain,
    string Path,
    double Expires,
    bool HttpOnly,
    bool Secure,
    CookieSameSite SameSite)
{
    public const double SessionExpiry = -1;

    public bool IsSession => Expires < 0;

    public override string ToString() =>
        $"StoredCookie {{ Name = {Name}, Value = [hidden], Domain = {Domain}, Path = {Path}, Expires = {Expires}, HttpOnly = {HttpOnly}, Secure = {Secure}, SameSite = {SameSite} }}";
}
