namespace PayApi.Contracts;

/// <summary>What a browser job does for a web-login provider.</summary>
[GenerateSerializer]
[Alias("PayApi.WebJobKind")]
public enum WebJobKind
{
    /// <summary>Log in with the credentials; may stop at the MFA step.</summary>
    Login,

    /// <summary>Continue a login that stopped at the MFA step, with the pending cookies and a code.</summary>
    SubmitMfa,

    /// <summary>Read balances, every transaction page and payouts; logs in again if the session is gone.</summary>
    Fetch,
}

/// <summary>One browser job for the scraper pool. Carries plaintext credentials inside the cluster only.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.WebJobRequest")]
public sealed record WebJobRequest(
    [property: Id(0)] WebJobKind Kind,
    [property: Id(1)] string ProviderId,
    [property: Id(2)] string ClientId,
    [property: Id(3)] string ConnectionId,
    [property: Id(4)] IReadOnlyDictionary<string, string> Credentials,
    [property: Id(5)] byte[]? CookieJar,
    [property: Id(6)] string? Proxy,
    [property: Id(7)] string? MfaCode)
{
    public override string ToString() => $"WebJobRequest {{ Kind = {Kind}, ProviderId = {ProviderId}, ConnectionId = {ConnectionId}, Proxy = {Proxy} }}";
}

/// <summary>A loss of access a provider's pages announced (<c>password_expiring</c>), and when, if they said.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.AccessExpiryNotice")]
public sealed record AccessExpiryNotice(
    [property: Id(0)] string Reason,
    [property: Id(1)] DateTimeOffset? ExpiresAt);

/// <summary>Data scraped from a provider's pages.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.WebScrape")]
public sealed record WebScrape(
    [property: Id(0)] IReadOnlyList<BalanceAmount> Balances,
    [property: Id(1)] IReadOnlyList<TransactionItem> Transactions,
    [property: Id(2)] IReadOnlyList<PayoutItem> Payouts,
    [property: Id(3)] AccessExpiryNotice? AccessExpiry = null);

/// <summary>
/// What a browser job produced: the cookie jar after it (also on failure, so an MFA step can resume), the
/// proxy it finally went through, the data of a fetch, or a typed error.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.WebJobResult")]
public sealed record WebJobResult(
    [property: Id(0)] ErrorInfo? Error,
    [property: Id(1)] byte[]? CookieJar,
    [property: Id(2)] string? Proxy,
    [property: Id(3)] WebScrape? Data,
    [property: Id(4)] AccessExpiryNotice? AccessExpiry = null)
{
    public override string ToString() => $"WebJobResult {{ Error = {Error?.Code}, Proxy = {Proxy} }}";
}
