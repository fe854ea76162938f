namespace PayApi.Contracts;

/// <summary>The six webhook event types (docs/webhooks.md says when each is raised).</summary>
public static class WebhookEventTypes
{
    public const string Connected = "connection.connected";
    public const string StatusChanged = "connection.status_changed";
    public const string LoginRequired = "connection.login_required";
    public const string PendingExpiration = "connection.pending_expiration";
    public const string DataUpdated = "connection.data_updated";
    public const string Disconnected = "connection.disconnected";
}

/// <summary>Where an event's delivery stands.</summary>
public static class WebhookDeliveryStates
{
    /// <summary>Waiting for its first or next attempt.</summary>
    public const string Pending = "pending";

    /// <summary>A receiver answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Every attempt in the retry window failed (or the webhook was removed while it was pending).</summary>
    public const string Failed = "failed";

    /// <summary>No webhook url was set when the event was raised: kept and listed, never sent.</summary>
    public const string NotSent = "not_sent";
}

/// <summary>
/// One event as raised: its id, type and creation time, and the exact JSON body that is sent (built once, so every
/// attempt and every replay sends the same bytes). The body holds ids, statuses, codes, counts and times only.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.WebhookEvent")]
public sealed record WebhookEvent(
    [property: Id(0)] string Id,
    [property: Id(1)] string Type,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string Body);

/// <summary>One delivery attempt: when, what the receiver answered (or why there was no answer), how long it took.</summary>
[GenerateSerializer]
[Alias("PayApi.WebhookAttempt")]
public sealed record WebhookAttempt(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] int? StatusCode,
    [property: Id(2)] long LatencyMs,
    [property: Id(3)] string? Error);

/// <summary>An event with its delivery state and attempts, as <c>GET /v1/webhook/events</c> lists it.</summary>
[GenerateSerializer]
[Alias("PayApi.WebhookEventView")]
public sealed record WebhookEventView(
    [property: Id(0)] WebhookEvent Event,
    [property: Id(1)] string Status,
    [property: Id(2)] IReadOnlyList<WebhookAttempt> Attempts);

/// <summary>A page of events, newest first.</summary>
[GenerateSerializer]
[Alias("PayApi.WebhookEventPage")]
public sealed record WebhookEventPage(
    [property: Id(0)] IReadOnlyList<WebhookEventView> Events,
    [property: Id(1)] string? NextCursor);

/// <summary>The webhook as the developer sees it; the secret only in the answer that created it.</summary>
[GenerateSerializer]
[Alias("PayApi.WebhookEndpointView")]
public sealed record WebhookEndpointView(
    [property: Id(0)] string Url,
    [property: Id(1)] string? SigningSecret,
    [property: Id(2)] DateTimeOffset? PreviousSecretExpiresAt);
