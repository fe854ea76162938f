using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PayApi.Telemetry;

/// <summary>
/// Our own spans and instruments: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <see cref="Name"/>. Nothing listens to them unless OpenTelemetry is configured (an OTLP endpoint is set), and
/// with no listener a span is never created and a measurement costs one flag check. Tags are fixed, low-cardinality
/// words (outcomes, statuses, operation and provider ids): never a connection, session or client id, never a
/// credential, never provider data.
/// </summary>
public static class PayApiTelemetry
{
    /// <summary>The name of our activity source and meter.</summary>
    public const string Name = "PayApi";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Connection grains active in this silo, by <c>status</c> (an up-down counter: sum across silos).</summary>
    public static readonly UpDownCounter<long> Connections =
        Meter.CreateUpDownCounter<long>("payapi.connections", "{connection}", "Connection grains active in this silo, by status.");

    /// <summary>Provider logins, by <c>kind</c> (connect, mfa, relogin), <c>provider</c> and <c>outcome</c> (ok or an error code).</summary>
    public static readonly Counter<long> Logins =
        Meter.CreateCounter<long>("payapi.logins", "{login}", "Provider logins, by kind, provider and outcome.");

    /// <summary>Provider keep-alives, by <c>provider</c> and <c>outcome</c> (alive, expired, not_needed, or an error code).</summary>
    public static readonly Counter<long> KeepAlives =
        Meter.CreateCounter<long>("payapi.keepalives", "{keepalive}", "Provider keep-alives, by provider and outcome.");

    /// <summary>Browser jobs waiting for a free slot of the pool.</summary>
    public static readonly UpDownCounter<long> BrowserQueue =
        Meter.CreateUpDownCounter<long>("payapi.browser.queue", "{job}", "Browser jobs waiting for a slot of the pool.");

    /// <summary>Browser jobs running now.</summary>
    public static readonly UpDownCounter<long> BrowserActive =
        Meter.CreateUpDownCounter<long>("payapi.browser.active", "{job}", "Browser jobs running now.");

    /// <summary>Browser jobs finished, by <c>outcome</c> (ok, timeout, error).</summary>
    public static readonly Counter<long> BrowserJobs =
        Meter.CreateCounter<long>("payapi.browser.jobs", "{job}", "Browser jobs finished, by outcome.");

    /// <summary>How long browser jobs ran, by <c>outcome</c>.</summary>
    public static readonly Histogram<double> BrowserJobDuration =
        Meter.CreateHistogram<double>("payapi.browser.job.duration", "s", "How long browser jobs ran, by outcome.");

    /// <summary>KMS requests, by <c>operation</c> and <c>outcome</c> (ok, unavailable, refused).</summary>
    public static readonly Counter<long> KmsCalls =
        Meter.CreateCounter<long>("payapi.kms.calls", "{call}", "KMS requests, by operation and outcome.");

    /// <summary>Webhook deliveries, by <c>outcome</c>: record them through <see cref="WebhookDelivered"/>.</summary>
    public static readonly Counter<long> WebhookDeliveries =
        Meter.CreateCounter<long>("payapi.webhook.deliveries", "{delivery}", "Webhook delivery attempts, by outcome.");

    /// <summary>
    /// Provider data reads, by <c>cache</c>: <c>hit</c> (served from the cache) or <c>miss</c> (fetched from the
    /// provider). The cache hit ratio is hit / (hit + miss).
    /// </summary>
    public static readonly Counter<long> DataReads =
        Meter.CreateCounter<long>("payapi.data.reads", "{read}", "Provider data reads, by cache (hit or miss).");

    /// <summary>
    /// Counts one webhook delivery attempt. <paramref name="outcome"/> is a fixed word such as <c>delivered</c>,
    /// <c>failed</c>, <c>retrying</c> or <c>dropped</c>: never a URL, an id or a response body.
    /// </summary>
    public static void WebhookDelivered(string outcome) =>
        WebhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Counts one provider data read.</summary>
    public static void DataRead(bool cached) =>
        DataReads.Add(1, new KeyValuePair<string, object?>("cache", cached ? "hit" : "miss"));

    /// <summary>Counts one login of <paramref name="kind"/> (connect, mfa, relogin).</summary>
    public static void Login(string kind, string provider, string outcome) =>
        Logins.Add(1, new("kind", kind), new("provider", provider), new("outcome", outcome));

    /// <summary>Counts one keep-alive.</summary>
    public static void KeepAlive(string provider, string outcome) =>
        KeepAlives.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("outcome", outcome));
}
