namespace PayApi.Sandbox;

/// <summary>Where the sandbox listens and where its fake providers are mounted.</summary>
public sealed class SandboxOptions
{
    /// <summary>Loopback port to bind; 0 picks a free ephemeral port (what tests want).</summary>
    public int Port { get; set; }

    /// <summary>
    /// Path prefix of the Stripe-shaped API, so the sandbox bank web site can live beside it
    /// (e.g. under <c>/bank</c>) on the same listener.
    /// </summary>
    public string StripePathPrefix { get; set; } = "/stripe";
}
