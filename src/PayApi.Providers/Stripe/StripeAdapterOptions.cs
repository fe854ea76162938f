namespace PayApi.Providers;

/// <summary>One Stripe-shaped provider: the real Stripe, or the sandbox under another id and base URL.</summary>
public sealed class StripeAdapterOptions
{
    public string ProviderId { get; set; } = "stripe";

    public string Name { get; set; } = "Stripe";

    /// <summary>API root; <c>v1/...</c> is resolved against it (e.g. <c>https://api.stripe.com/</c>).</summary>
    public Uri BaseUrl { get; set; } = new("https://api.stripe.com/");

    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Whole-call budget (connect, send, read body) for one Stripe request.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}
