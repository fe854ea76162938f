using Microsoft.Extensions.Logging;

namespace PayApi.Grains.Webhooks;

/// <summary>What became of one delivery attempt, for metrics and logs (no url, no body, no secret).</summary>
public sealed record WebhookDeliveryOutcome(
    string ClientId,
    string EventId,
    string EventType,
    int AttemptNumber,
    bool Delivered,
    int? StatusCode,
    string? Error,
    TimeSpan Latency,
    bool GaveUp);

/// <summary>
/// The seam for delivery telemetry: every attempt is reported here. The default logs it; a metric
/// (<c>payapi.webhook.deliveries</c>) can be added by registering another implementation; all registered ones are called.
/// </summary>
public interface IWebhookDeliveryObserver
{
    void OnAttempt(WebhookDeliveryOutcome outcome);
}

/// <summary>Logs each attempt at Debug, and a given-up event at Warning.</summary>
public sealed partial class LoggingWebhookDeliveryObserver(ILogger<LoggingWebhookDeliveryObserver> logger) : IWebhookDeliveryObserver
{
    public void OnAttempt(WebhookDeliveryOutcome outcome)
    {
        if (outcome.GaveUp)
        {
            LogGaveUp(logger, outcome.ClientId, outcome.EventId, outcome.EventType, outcome.AttemptNumber, outcome.StatusCode, outcome.Error);
        }
        else
        {
            LogAttempt(logger, outcome.ClientId, outcome.EventId, outcome.EventType, outcome.AttemptNumber, outcome.Delivered, outcome.StatusCode, outcome.Error, (long)outcome.Latency.TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook delivery of {EventId} ({EventType}) for {ClientId}, attempt {Attempt}: delivered={Delivered} status={StatusCode} error={Error} in {LatencyMs} ms")]
    private static partial void LogAttempt(ILogger logger, string clientId, string eventId, string eventType, int attempt, bool delivered, int? statusCode, string? error, long latencyMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook event {EventId} ({EventType}) for {ClientId} given up after {Attempt} attempts: last status={StatusCode} error={Error}")]
    private static partial void LogGaveUp(ILogger logger, string clientId, string eventId, string eventType, int attempt, int? statusCode, string? error);
}

/// <summary>Counts each attempt in the <c>payapi.webhook.deliveries</c> metric, by outcome (delivered, failed, gave_up).</summary>
public sealed class MetricsWebhookDeliveryObserver : IWebhookDeliveryObserver
{
    public void OnAttempt(WebhookDeliveryOutcome outcome) =>
        PayApi.Telemetry.PayApiTelemetry.WebhookDelivered(outcome.Delivered ? "delivered" : outcome.GaveUp ? "gave_up" : "failed");
}
