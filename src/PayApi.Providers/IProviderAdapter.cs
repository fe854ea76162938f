using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>
/// Everything the service knows how to do with one provider. Failures are thrown as
/// <see cref="PayApiException"/> with a code of API.md (invalid_credentials, insufficient_key_scope,
/// provider_unavailable, unexpected_provider_response...), never with a secret in the detail.
/// </summary>
public interface IProviderAdapter
{
    ProviderInfo Info { get; }

    /// <summary>How long fetched data may be served from the connection's cache.</summary>
    TimeSpan CacheTtl { get; }

    /// <summary>Checks the credentials against the provider right now; throws on refusal.</summary>
    Task VerifyAsync(ProviderContext context, CancellationToken cancellationToken);

    Task<IReadOnlyList<BalanceAmount>> GetBalanceAsync(ProviderContext context, CancellationToken cancellationToken);

    /// <summary>One page of transactions, newest first; pass the returned cursor to get the next page.</summary>
    Task<ProviderPage<TransactionItem>> GetTransactionsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken);

    Task<ProviderPage<PayoutItem>> GetPayoutsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken);

    /// <summary>Keeps the provider session alive without a full login where the provider allows it.</summary>
    Task<KeepAliveResult> KeepAliveAsync(ProviderContext context, CancellationToken cancellationToken);
}

/// <summary>What an adapter call gets: the connection's credentials (and, for web logins, later its session).</summary>
public sealed class ProviderContext
{
    public ProviderContext(string connectionId, ProviderCredentials credentials)
    {
        ConnectionId = connectionId;
        Credentials = credentials;
    }

    public string ConnectionId { get; }

    public ProviderCredentials Credentials { get; }

    public override string ToString() => $"ProviderContext {{ ConnectionId = {ConnectionId} }}";
}

/// <summary>One page of provider items and the cursor of the next page, null at the end.</summary>
public sealed record ProviderPage<T>(IReadOnlyList<T> Items, string? NextCursor);

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
