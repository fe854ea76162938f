namespace PayApi.Grains.Webhooks;

/// <summary>
/// When the next attempt is due: <see cref="WebhookOptions.FirstRetryDelay"/> doubled after every failed attempt, capped at
/// <see cref="WebhookOptions.MaxRetryDelay"/>, each wait spread by ±20 % so receivers that failed together are not
/// retried together.
/// </summary>
public static class WebhookBackoff
{
    public static TimeSpan DelayAfter(int failedAttempts, WebhookOptions options, Random random)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var ticks = Math.Min(options.FirstRetryDelay.Ticks * Math.Pow(2, exponent), options.MaxRetryDelay.Ticks);
        var jitter = 0.8 + (0.4 * random.NextDouble());
        return TimeSpan.FromTicks((long)(ticks * jitter));
    }
}
