using Microsoft.Playwright;
using PayApi.Contracts;

namespace PayApi.Providers.Web;

/// <summary>
/// How to drive one web-login provider: a small class per provider, run by the shared scraping machinery.
/// Every method throws <see cref="PayApiException"/> with a typed code for an outcome it recognises
/// (invalid_credentials, mfa_required, bot_blocked...) and <see cref="UnexpectedPageException"/> for a
/// page it does not understand, so a failure bundle can be kept.
/// </summary>
public interface IWebRecipe
{
    ProviderInfo Info { get; }

    TimeSpan CacheTtl { get; }

    /// <summary>How often a keep-alive must reach the provider for its session to survive (below its idle timeout).</summary>
    TimeSpan KeepAliveInterval { get; }

    /// <summary>The shortest time between two developer refreshes of one connection (see <see cref="IProviderAdapter.MinRefreshInterval"/>).</summary>
    TimeSpan MinRefreshInterval => IProviderAdapter.DefaultMinRefreshInterval;

    /// <summary>Logs in; returns when signed in, throws <c>mfa_required</c> when a code is asked for.</summary>
    Task LoginAsync(IPage page, ProviderCredentials credentials, CancellationToken cancellationToken);

    /// <summary>Answers the MFA step of a login whose cookies the page's context carries.</summary>
    Task SubmitMfaAsync(IPage page, string code, CancellationToken cancellationToken);

    /// <summary>Reads everything; logs in again with the credentials if the session is gone.</summary>
    Task<WebScrape> FetchAsync(IPage page, ProviderCredentials credentials, CancellationToken cancellationToken);

    /// <summary>
    /// A loss of access the provider's signed-in page announces (a password-expiry notice), read from the page a
    /// login or fetch ended on; null when it says nothing. Providers without such notices keep the default.
    /// </summary>
    Task<AccessExpiryNotice?> ReadAccessNoticeAsync(IPage page, CancellationToken cancellationToken) => Task.FromResult<AccessExpiryNotice?>(null);

    /// <summary>A cheap keep-alive over plain HTTP with the session cookies; no browser.</summary>
    Task<KeepAliveResult> KeepAliveAsync(HttpClient http, CancellationToken cancellationToken);
}

/// <summary>A page the recipe does not recognise; the scraper keeps a redacted failure bundle of it.</summary>
public sealed class UnexpectedPageException(string what) : Exception($"Unexpected provider page: {what}");
