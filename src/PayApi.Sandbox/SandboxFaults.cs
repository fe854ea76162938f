using System.Collections.Concurrent;

namespace PayApi.Sandbox;

/// <summary>
/// Switches that make the fake providers misbehave on purpose, flipped by tests while requests run, and the counters
/// tests read back; fields are volatile or interlocked because the request threads read what the test thread wrote.
/// </summary>
internal sealed class SandboxFaults
{
    private readonly ConcurrentDictionary<string, long> _stripeRequestsByRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _revokedKeys = new(StringComparer.Ordinal);

    public void Revoke(string key) => _revokedKeys[key] = true;

    public bool IsRevoked(string key) => _revokedKeys.ContainsKey(key);
    private volatile bool _stripeOutage;
    private volatile bool _stripeMalformed;
    private volatile string? _stripeLastVersion;
    private long _stripeDelayTicks;
    private long _stripeRequests;
    private long _stripeRequestsWithoutVersion;
    private int _stripeRateLimitNext;
    private int _stripeServerErrorNext;
    private int _stripeShouldRetryOn5xx;

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

    /// <summary>The <c>Stripe-Should-Retry</c> value 5xx answers carry: null for none (0), true (1) or false (2).</summary>
    public bool? StripeShouldRetryOn5xx
    {
        get => Volatile.Read(ref _stripeShouldRetryOn5xx) switch
        {
            1 => true,
            2 => false,
            _ => (bool?)null,
        };
        set => Volatile.Write(ref _stripeShouldRetryOn5xx, value switch
        {
            true => 1,
            false => 2,
            null => 0,
        });
    }

    public long StripeRequests => Interlocked.Read(ref _stripeRequests);

    public long StripeRequestsWithoutVersion => Interlocked.Read(ref _stripeRequestsWithoutVersion);

    public string? StripeLastVersion => _stripeLastVersion;

    /// <summary>Counts a request by method and Stripe path (<c>GET /v1/charges</c>) and notes its <c>Stripe-Version</c>.</summary>
    public void CountStripeRequest(string method, string stripePath, string? version)
    {
        Interlocked.Increment(ref _stripeRequests);
        _stripeRequestsByRoute.AddOrUpdate(method.ToUpperInvariant() + " " + stripePath, 1, (_, n) => n + 1);
        if (version is null)
        {
            Interlocked.Increment(ref _stripeRequestsWithoutVersion);
        }
        else
        {
            _stripeLastVersion = version;
        }
    }

    /// <summary>Requests to one Stripe path, of one method or of any.</summary>
    public long StripeRequestsTo(string stripePath, string? method) =>
        _stripeRequestsByRoute
            .Where(kv => kv.Key.EndsWith(" " + stripePath, StringComparison.Ordinal)
                && (method is null || kv.Key.StartsWith(method.ToUpperInvariant() + " ", StringComparison.Ordinal)))
            .Sum(kv => kv.Value);

    public long StripeRequestsOfMethod(string method) =>
        _stripeRequestsByRoute.Where(kv => kv.Key.StartsWith(method.ToUpperInvariant() + " ", StringComparison.Ordinal)).Sum(kv => kv.Value);

    public void RateLimitNext(int count) => Interlocked.Exchange(ref _stripeRateLimitNext, count);

    public void ServerErrorNext(int count) => Interlocked.Exchange(ref _stripeServerErrorNext, count);

    /// <summary>Whether this request is one of the next N to be rate limited; each call spends one.</summary>
    public bool TakeRateLimit() => TakeOne(ref _stripeRateLimitNext);

    public bool TakeServerError() => TakeOne(ref _stripeServerErrorNext);

    private static bool TakeOne(ref int counter)
    {
        while (true)
        {
            var left = Volatile.Read(ref counter);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, left - 1, left) == left)
            {
                return true;
            }
        }
    }
}
