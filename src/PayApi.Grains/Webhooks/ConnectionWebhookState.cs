using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>
/// What a connection keeps for its webhook events, inside its own state: the outbox (events written in the same
/// write as the change they announce, removed once the client's <see cref="WebhookGrain"/> has stored them), and what
/// <c>connection.pending_expiration</c> has already warned about.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.ConnectionWebhookState")]
public sealed class ConnectionWebhookState
{
    [Id(0)] public List<WebhookEvent> Outbox { get; set; } = [];

    /// <summary>Since when refreshes have failed with a retryable error without one succeeding; null while healthy.</summary>
    [Id(1)] public DateTimeOffset? FailingSince { get; set; }

    /// <summary>The last loss of access warned about (<c>reason</c> and expiry), so each is announced once.</summary>
    [Id(2)] public string? ExpirationWarned { get; set; }
}
