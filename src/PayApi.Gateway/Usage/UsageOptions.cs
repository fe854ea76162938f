namespace PayApi.Gateway.Usage;

/// <summary>Usage metering (<c>PayApi:Usage</c>).</summary>
public sealed class UsageOptions
{
    /// <summary>
    /// How often a gateway flushes the calls it counted to the usage records, and so the most a crash can lose
    /// (a clean shutdown flushes what is left).
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(10);
}
