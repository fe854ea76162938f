namespace PayApi.Grains;

/// <summary>Lifetimes and limits of sessions and connections; defaults are the contract's numbers.</summary>
public sealed class GrainOptions
{
    /// <summary>A connect session is a 30-minute capability (docs/api.md).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The exchange code is single use and valid 10 minutes (docs/api.md).</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>After this many failed attempts a session is <c>failed</c> for good.</summary>
    public int MaxConnectAttempts { get; set; } = 5;

    /// <summary>Same idempotency key and body within this window returns the same session.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the refresh reminder of a connection fires.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// After the provider failed (down, bot check, browser pool), reads past the cache and developer refreshes
    /// answer at once with that failure for this long instead of trying again: no hammering a struggling
    /// provider. The refresh reminder still tries on its own schedule.
    /// </summary>
    public TimeSpan ProviderRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Cached provider data is wiped when older than this, whatever happens (SECURITY.md: under 14 days).</summary>
    public TimeSpan MaxCacheAge { get; set; } = TimeSpan.FromDays(13);

    /// <summary>
    /// How long a disconnected connection stays visible as a tombstone (<c>status: disconnected</c>: ids, provider,
    /// end-user id and times, nothing else) before it is deleted.
    /// </summary>
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>Names of the grain storage providers the grains use.</summary>
public static class StorageNames
{
    public const string Default = "payapi";
}
