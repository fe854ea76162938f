namespace PayApi.Gateway.Cluster;

/// <summary>How the gateway rides out the loss of a silo (<c>PayApi:Orleans:FailoverRetryBudget</c>).</summary>
public sealed class FailoverOptions
{
    /// <summary>How long an idempotent call keeps being resent while its silo is gone; zero turns resending off.</summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>What <c>Retry-After</c> says when a call failed because a silo or storage is briefly unavailable.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);
}
