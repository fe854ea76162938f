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

    /// <summary>Path prefix of the sandbox bank web site; its cookies are scoped to this path.</summary>
    public string BankPathPrefix { get; set; } = "/bank";

    /// <summary>
    /// How long a bank session survives without a page view or keep-alive call; tests shorten it to
    /// seconds to exercise expiry and the refresh job's keep-alive.
    /// </summary>
    public TimeSpan BankSessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Login POSTs one client address may make within <see cref="BankLoginWindow"/> before the bot check blocks it.</summary>
    public int BankLoginLimit { get; set; } = 20;

    /// <summary>The sliding window of the bank's bot check.</summary>
    public TimeSpan BankLoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The password the sandbox bank's users accept: <c>pass_good</c> as docs/api.md says. Tests set a unique canary
    /// here so they can prove a real, accepted password never reaches logs, storage or artifacts.
    /// </summary>
    public string BankPassword { get; set; } = "pass_good";
}
