using System.ComponentModel;
using System.Text.Json;

namespace PayApi.Gateway.OpenApi;

// The webhook endpoints' JSON bodies, named for the OpenAPI document (see WireShapes.cs).

[Description("Where to send the client's events.")]
public sealed record SetWebhookRequest([property: Description("An https URL whose host resolves only to public addresses (http and loopback only with PayApi:Webhooks:AllowInsecureTargets).")] string Url);

[Description("The webhook and its signing secret, shown this once.")]
public sealed record WebhookSecretResponse(
    string Url,
    [property: Description("whsec_...: verify each delivery's PayApi-Signature with it.")] string SigningSecret,
    [property: Description("Until when the previous secret still signs too (after a rotation).")] DateTimeOffset? PreviousSecretExpiresAt = null);

[Description("The webhook; never its secret.")]
public sealed record WebhookResponse(string Url, DateTimeOffset? PreviousSecretExpiresAt);

[Description("One delivery attempt.")]
public sealed record WebhookAttemptShape(
    DateTimeOffset At,
    [property: Description("The receiver's HTTP status, or null when there was no answer.")] int? StatusCode,
    long LatencyMs,
    [property: Description("Why there was no 2xx (timeout, refused address, ...), or null.")] string? Error);

[Description("An event as delivered, with its delivery state and attempts.")]
public sealed record WebhookEventShape(
    [property: Description("evt_...: the same id in every delivery and replay; de-duplicate on it.")] string Id,
    [property: Description("connection.connected, connection.status_changed, connection.login_required, connection.pending_expiration, connection.data_updated or connection.disconnected.")] string Type,
    DateTimeOffset CreatedAt,
    [property: Description("Ids, statuses, codes, counts and times; never provider data.")] JsonElement Data,
    [property: Description("pending, delivered or failed.")] string Status,
    IReadOnlyList<WebhookAttemptShape> Attempts);

[Description("Events, newest first.")]
public sealed record WebhookEventList(IReadOnlyList<WebhookEventShape> Data, string? NextCursor);
