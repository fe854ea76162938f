using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>
/// Coalesces and spaces one connection's developer refreshes: a refresh asked for while one runs joins it (one
/// provider fetch, one answer for all), and after one succeeded the next is refused with <c>rate_limited</c> and a
/// <c>Retry-After</c> until the provider's minimum interval has passed. The refresh reminder does not come here.
/// Not thread-safe: the grain's scheduler runs one turn at a time.
/// </summary>
public sealed class RefreshPacing(TimeProvider time)
{
    private Task? _inFlight;
    private DateTimeOffset? _lastSucceededAt;

    /// <summary>A developer refresh is running (or waiting for the connection's gate).</summary>
    public bool InFlight => _inFlight is { IsCompleted: false };

    /// <summary>The refresh in flight, or <paramref name="refresh"/> started now; throws <c>rate_limited</c> when too soon.</summary>
    public Task JoinOrStartAsync(TimeSpan minInterval, Func<Task> refresh)
    {
        if (_inFlight is { IsCompleted: false } running)
        {
            return running;
        }

        if (_lastSucceededAt is { } last && time.GetUtcNow() - last is var since && since < minInterval)
        {
            var wait = minInterval - since;
            throw new PayApiException(
                ErrorCodes.RateLimited,
                $"This connection was refreshed {PayApiException.WholeSeconds(since)} s ago and its provider allows one refresh every {PayApiException.WholeSeconds(minInterval)} s. Retry after the time in Retry-After; reads serve the data fetched then.")
                .WithRetryAfter(wait);
        }

        _inFlight = RunAsync(refresh);
        return _inFlight;
    }

    private async Task RunAsync(Func<Task> refresh)
    {
        await refresh();
        _lastSucceededAt = time.GetUtcNow();
    }
}
