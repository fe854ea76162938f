namespace PayApi.Sandbox;

/// <summary>
/// Switches that make the fake providers misbehave on purpose, flipped by tests while requests run;
/// fields are volatile because the request threads read what the test thread wrote.
/// </summary>
internal sealed class SandboxFaults
{
    private volatile bool _stripeOutage;
    private volatile bool _stripeMalformed;
    private long _stripeDelayTicks;
    private long _stripeRequests;

    public bool StripeOutage
    {
        get => _stripeOutage;
        set => _stripeOutage = value;
    }

    public bool StripeMalformed
    {
        get => _stripeMalformed;
        set => _stripeMalformed = value;
    }

    public TimeSpan StripeDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _stripeDelayTicks));
        set => Interlocked.Exchange(ref _stripeDelayTicks, value.Ticks);
    }

    public long StripeRequests => Interlocked.Read(ref _stripeRequests);

    public void CountStripeRequest() => Interlocked.Increment(ref _stripeRequests);
}
