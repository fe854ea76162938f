using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>
/// Persistent state of one client's webhook: the url, the signing secrets sealed (never in clear), the deliveries still
/// pending, and where the index pages stand. Events themselves live in their own grains.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.WebhookState")]
public sealed class WebhookState
{
    [Id(0)] public string? Url { get; set; }
    [Id(1)] public string? SealedSecret { get; set; }
    [Id(2)] public string? SealedPreviousSecret { get; set; }
    [Id(3)] public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    [Id(4)] public Dictionary<string, PendingDelivery> Pending { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The page new ids are appended to.</summary>
    [Id(5)] public long CurrentPage { get; set; }

    /// <summary>Every page still kept, with the time of its newest event (retention deletes whole pages).</summary>
    [Id(6)] public List<WebhookIndexPage> Pages { get; set; } = [];
}

/// <summary>A delivery not yet done: how many attempts failed, when the next is due, and when it is given up.</summary>
[GenerateSerializer]
[Alias("PayApi.PendingDelivery")]
public sealed record PendingDelivery(
    [property: Id(0)] string EventId,
    [property: Id(1)] string EventType,
    [property: Id(2)] int FailedAttempts,
    [property: Id(3)] DateTimeOffset NextAttemptAt,
    [property: Id(4)] DateTimeOffset GiveUpAt);

/// <summary>One index page and the time of the newest event in it.</summary>
[GenerateSerializer]
[Alias("PayApi.WebhookIndexPage")]
public sealed record WebhookIndexPage([property: Id(0)] long Number, [property: Id(1)] DateTimeOffset NewestAt);
