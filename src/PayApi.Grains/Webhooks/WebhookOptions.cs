namespace PayApi.Grains.Webhooks;

/// <summary>Webhook delivery settings (<c>PayApi:Webhooks</c>); defaults are the contract's numbers.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "PayApi:Webhooks";

    /// <summary>Allow <c>http</c> and loopback targets, for local development (on by default when the sandbox is on).</summary>
    public bool AllowInsecureTargets { get; set; }

    /// <summary>One attempt's limit: connect, send, and the receiver's answer.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the second attempt; each further wait doubles (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after an event was raised (or replayed) it is still retried.</summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>After a rotation the old secret keeps signing alongside the new one for this long.</summary>
    public TimeSpan PreviousSecretLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Events (and their attempts) are deleted this long after they were raised.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Attempts in flight at once for one client: a slow receiver holds at most this many of its own.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 4;

    /// <summary>Event ids per index page: a listing reads one page at a time, never the whole history.</summary>
    public int IndexPageSize { get; set; } = 200;

    /// <summary>A refresh failing with a retryable error for this long raises <c>connection.pending_expiration</c>.</summary>
    public TimeSpan FailingRefreshWarning { get; set; } = TimeSpan.FromHours(24);
}
