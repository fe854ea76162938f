namespace PayApi.Providers;

/// <summary>One Stripe-shaped provider: the real Stripe, or the sandbox under another id and base URL.</summary>
public sealed class StripeAdapterOptions
{
    /// <summary>
    /// The API version of Stripe's published OpenAPI description (stripe/openapi, release "Update OpenAPI for
    /// 2026-07-29.dahlia") that the adapter's reading of charges and payouts was checked against.
    /// </summary>
    public const string DefaultApiVersion = "2026-07-29.dahlia";

    public string ProviderId { get; set; } = "stripe";

    public string Name { get; set; } = "Stripe";

    /// <summary>API root; <c>v1/...</c> is resolved against it (e.g. <c>https://api.stripe.com/</c>).</summary>
    public Uri BaseUrl { get; set; } = new("https://api.stripe.com/");

    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The shortest time between two developer refreshes of one connection (see <see cref="IProviderAdapter.MinRefreshInterval"/>).</summary>
    public TimeSpan MinRefreshInterval { get; set; } = IProviderAdapter.DefaultMinRefreshInterval;

    /// <summary>Whole-call budget (connect, send, read body, and every retry with its wait) for one Stripe request.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Sent as <c>Stripe-Version</c> on every request, so an account whose default version is older or newer still
    /// answers in the shape the adapter reads.
    /// </summary>
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>Retries of one read (or side-effect-free probe) after a 429, a 5xx, a 409 lock_timeout or a network error.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry waits about this long; each further retry doubles it (with jitter).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>No retry waits longer than this, whatever <c>Retry-After</c> asks for.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How far before its high-water mark an incremental refresh reads again (see <see cref="IIncrementalProvider.UpdateOverlap"/>).</summary>
    public TimeSpan UpdateOverlap { get; set; } = TimeSpan.FromDays(3);
}
