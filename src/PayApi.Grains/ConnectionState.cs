using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>
/// Persistent state of one connection. Secrets and provider data are stored only as ciphertexts under
/// the connection's data key; the wrapped data key itself lives apart, in the data key store.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.ConnectionState")]
public sealed class ConnectionState
{
    [Id(0)] public string ClientId { get; set; } = "";
    [Id(1)] public string EndUserId { get; set; } = "";
    [Id(2)] public string Provider { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public string Status { get; set; } = ConnectionStatus.Connected;
    [Id(5)] public ErrorInfo? Error { get; set; }
    [Id(6)] public long Generation { get; set; }
    [Id(7)] public DateTimeOffset? LastRefreshedAt { get; set; }
    [Id(8)] public DateTimeOffset? NextRefreshAt { get; set; }

    /// <summary>The credential fields as sealed JSON (field name <c>credentials</c>).</summary>
    [Id(9)] public string? SealedCredentials { get; set; }

    /// <summary>
    /// Earlier builds' whole provider snapshot as sealed JSON (field name <c>cache</c>); moved into the chunk store on
    /// first read and never written again.
    /// </summary>
    [Id(10)] public string? SealedCache { get; set; }

    /// <summary>When the provider data was fetched, kept in clear so the TTL can be enforced without a key.</summary>
    [Id(11)] public DateTimeOffset? CacheFetchedAt { get; set; }

    /// <summary>The provider cookie jar as sealed JSON (field name <c>cookies</c>), for web-login providers.</summary>
    [Id(13)] public string? SealedCookies { get; set; }

    /// <summary>The proxy this connection sticks to (changing IP triggers MFA and bot checks).</summary>
    [Id(14)] public string? Proxy { get; set; }

    /// <summary>The generation (random, never reused) of provider data in the chunk store that this connection reads; null when it has none.</summary>
    [Id(15)] public long? DataGeneration { get; set; }

    /// <summary>What the stored credentials can read (a restricted key may lack payouts); null = all the provider offers.</summary>
    [Id(16)] public List<string>? Capabilities { get; set; }

    /// <summary>Where history sync stands, in clear for the connection object (no key needed to show it).</summary>
    [Id(17)] public SyncView? Sync { get; set; }

    /// <summary>Connect sessions that named this connection, so disconnect can delete their records too.</summary>
    [Id(12)] public List<string> SessionIds { get; set; } = [];

    /// <summary>The webhook outbox and expiry warnings (a high id, clear of the fields above).</summary>
    [Id(40)] public Webhooks.ConnectionWebhookState Webhooks { get; set; } = new();
}
