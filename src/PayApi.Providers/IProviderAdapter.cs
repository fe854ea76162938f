using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>
/// Everything the service knows how to do with one provider. Failures are thrown as
/// <see cref="PayApiException"/> with a code of docs/api.md (invalid_credentials, insufficient_key_scope,
/// provider_unavailable, unexpected_provider_response...), never with a secret in the detail.
/// </summary>
public interface IProviderAdapter
{
    ProviderInfo Info { get; }

    /// <summary>How long fetched data may be served from the connection's cache.</summary>
    TimeSpan CacheTtl { get; }

    /// <summary>Checks the credentials against the provider right now; throws on refusal.</summary>
    Task VerifyAsync(ProviderContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Checks the credentials and says which of <see cref="ProviderInfo.Capabilities"/> they can actually read (a
    /// restricted API key may read charges but not payouts); throws when they can read none. By default every
    /// capability once <see cref="VerifyAsync"/> passes.
    /// </summary>
    async Task<IReadOnlyList<string>> VerifyAccessAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        await VerifyAsync(context, cancellationToken).ConfigureAwait(false);
        return Info.Capabilities;
    }

    Task<IReadOnlyList<BalanceAmount>> GetBalanceAsync(ProviderContext context, CancellationToken cancellationToken);

    /// <summary>One page of transactions, newest first; pass the returned cursor to get the next page.</summary>
    Task<ProviderPage<TransactionItem>> GetTransactionsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken);

    Task<ProviderPage<PayoutItem>> GetPayoutsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken);

    /// <summary>Keeps the provider session alive without a full login where the provider allows it.</summary>
    Task<KeepAliveResult> KeepAliveAsync(ProviderContext context, CancellationToken cancellationToken);

    /// <summary>
    /// How often the provider session must be touched to stay alive (below the provider's idle timeout), or
    /// null when there is no session to keep (API keys); the refresh reminder fires at least this often.
    /// </summary>
    TimeSpan? KeepAliveInterval => null;

    /// <summary>
    /// The shortest time between two developer refreshes of one connection: each one is a full fetch at the provider
    /// (a browser job for a web login), so a caller cannot make the service hammer a provider or a browser pool.
    /// </summary>
    TimeSpan MinRefreshInterval => DefaultMinRefreshInterval;

    /// <summary>What <see cref="MinRefreshInterval"/> is unless an adapter says otherwise.</summary>
    static readonly TimeSpan DefaultMinRefreshInterval = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Continues a login that stopped at a one-time-code step (the adapter threw <c>mfa_required</c> and left
    /// its pending state in <see cref="ProviderContext.Session"/>). Providers without MFA refuse.
    /// </summary>
    Task SubmitMfaAsync(ProviderContext context, string code, CancellationToken cancellationToken) =>
        throw new PayApiException(ErrorCodes.Conflict, "This provider does not ask for a one-time code.");

    /// <summary>
    /// Everything the connection caches: balances and every page of transactions and payouts. By default it
    /// walks the paged calls; a web-login adapter overrides it to scrape all of it in one browser job.
    /// </summary>
    Task<ProviderData> FetchAllAsync(ProviderContext context, CancellationToken cancellationToken) =>
        PagedFetch.AllAsync(this, context, cancellationToken);
}

/// <summary>One complete fetch of a connection's data.</summary>
public sealed record ProviderData(
    IReadOnlyList<BalanceAmount> Balances,
    IReadOnlyList<TransactionItem> Transactions,
    IReadOnlyList<PayoutItem> Payouts);

/// <summary>
/// Provider session state a connection keeps between calls (web logins): the sealed-at-rest cookie jar
/// and the proxy the connection sticks to. Adapters update it; the connection grain persists changes.
/// </summary>
public sealed class ProviderSession
{
    /// <summary>The serialized cookie jar, plaintext in memory only; null when there is none.</summary>
    public byte[]? CookieJar { get; set; }

    /// <summary>The proxy this connection's provider traffic goes through; null = direct.</summary>
    public string? Proxy { get; set; }

    /// <summary>
    /// A loss of access the provider announced during the last call (a password-expiry notice, an expiring key);
    /// null when it said nothing. The connection raises <c>connection.pending_expiration</c> once per announcement.
    /// </summary>
    public ProviderAccessExpiry? AccessExpiry { get; set; }

    public override string ToString() => $"ProviderSession {{ Proxy = {Proxy}, CookieJar = [redacted] }}";
}

/// <summary>When the provider says access will end, and why (<c>password_expiring</c>, <c>api_key_expiring</c>).</summary>
public sealed record ProviderAccessExpiry(string Reason, DateTimeOffset? ExpiresAt);

/// <summary>What an adapter call gets: the connection's credentials (and, for web logins, later its session).</summary>
public sealed class ProviderContext
{
    public ProviderContext(string connectionId, ProviderCredentials credentials)
        : this("", connectionId, credentials, new ProviderSession())
    {
    }

    public ProviderContext(string clientId, string connectionId, ProviderCredentials credentials, ProviderSession session)
    {
        ClientId = clientId;
        ConnectionId = connectionId;
        Credentials = credentials;
        Session = session;
    }

    /// <summary>The developer client that owns the connection (for tenant-bound artifacts).</summary>
    public string ClientId { get; }

    public string ConnectionId { get; }

    public ProviderSession Session { get; }

    public ProviderCredentials Credentials { get; }

    public override string ToString() => $"ProviderContext {{ ConnectionId = {ConnectionId} }}";
}

/// <summary>
/// One page of provider items and the cursor of the next page, null at the end. <paramref name="NewestCreatedAt"/> is
/// when the page's newest item was created at the provider (incremental providers report it: it is the high-water
/// mark, which for payouts is not the arrival date the item shows).
/// </summary>
public sealed record ProviderPage<T>(IReadOnlyList<T> Items, string? NextCursor, DateTimeOffset? NewestCreatedAt = null);

/// <summary>Whether a keep-alive found the session still valid.</summary>
public enum KeepAliveResult
{
    /// <summary>The provider has no session to keep (API keys): nothing to do.</summary>
    NotNeeded,
    Alive,
    SessionExpired,
}

/// <summary>The providers this deployment offers.</summary>
public interface IProviderCatalog
{
    IReadOnlyList<ProviderInfo> List();

    IProviderAdapter? Find(string providerId);
}
