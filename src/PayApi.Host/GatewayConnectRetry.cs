using Microsoft.Extensions.Logging;

namespace PayApi.Host;

/// <summary>
/// A gateway-only process keeps trying to reach the cluster until a silo is up, rather than exiting: on a deployment
/// the gateway tasks may start before any silo is active, or every silo may be replaced at once. Backs off to 5 s
/// between attempts; stopping the process ends the wait.
/// </summary>
public sealed partial class GatewayConnectRetry(ILogger<GatewayConnectRetry> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempts);
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(attempt, 10))));
        LogWaiting(logger, attempt, exception.GetType().Name, delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No silo of the cluster answered yet (attempt {Attempt}, {Exception}); trying again in {Seconds:0.0} s")]
    private static partial void LogWaiting(ILogger logger, int attempt, string exception, double seconds);
}
