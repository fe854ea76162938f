using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PayApi.Contracts;

namespace PayApi.Gateway.Usage;

/// <summary>
/// Counts calls made with access tokens, in memory, per client, month and endpoint: a dictionary look-up and an
/// interlocked increment per request, no allocation once a key has been seen, and no grain call.
/// <see cref="UsageFlusher"/> moves the counts to the usage records every few seconds.
/// </summary>
public sealed class UsageMeter(TimeProvider time)
{
    private readonly ConcurrentDictionary<MeterKey, Counter> _counters = new();

    /// <summary>This meter's identity in the usage records, new each process start, so its flushes are de-duplicated.</summary>
    public string MeterId { get; } = "mtr_" + Ids.Random(20);

    /// <summary>Counts one call of <paramref name="clientId"/> to the endpoint <paramref name="context"/> was routed to.</summary>
    public void Count(string clientId, HttpContext context)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
        var key = new MeterKey(clientId, UsageMonth.Of(time.GetUtcNow()), context.Request.Method, route);
        var counter = _counters.GetOrAdd(key, static _ => new Counter());
        Interlocked.Increment(ref counter.Value);
    }

    /// <summary>Takes every count made since the last take, grouped by client and month; the counters restart at zero.</summary>
    internal Dictionary<(string ClientId, UsageMonth Month), Dictionary<string, long>> Take()
    {
        var taken = new Dictionary<(string, UsageMonth), Dictionary<string, long>>();
        // A month's counters are dropped once it is over and a minute has passed: no request still counts into it then.
        var current = UsageMonth.Of(time.GetUtcNow() - TimeSpan.FromMinutes(1));
        foreach (var (key, counter) in _counters)
        {
            var calls = Interlocked.Exchange(ref counter.Value, 0);
            if (calls > 0)
            {
                if (!taken.TryGetValue((key.ClientId, key.Month), out var byEndpoint))
                {
                    taken[(key.ClientId, key.Month)] = byEndpoint = new Dictionary<string, long>(StringComparer.Ordinal);
                }

                byEndpoint[key.Method + " " + key.Route] = byEndpoint.GetValueOrDefault(key.Method + " " + key.Route) + calls;
            }
            else if (key.Month < current)
            {
                _counters.TryRemove(key, out _);
            }
        }

        return taken;
    }

    /// <summary>Puts back counts that could not be flushed, to go with the next flush.</summary>
    internal void Return(string clientId, UsageMonth month, IReadOnlyDictionary<string, long> callsByEndpoint)
    {
        foreach (var (endpoint, calls) in callsByEndpoint)
        {
            var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
            var key = new MeterKey(clientId, month, endpoint[..space], endpoint[(space + 1)..]);
            Interlocked.Add(ref _counters.GetOrAdd(key, static _ => new Counter()).Value, calls);
        }
    }

    private readonly record struct MeterKey(string ClientId, UsageMonth Month, string Method, string Route);

    private sealed class Counter
    {
        public long Value;
    }
}
