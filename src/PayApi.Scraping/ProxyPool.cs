using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.Contracts;

namespace PayApi.Scraping;

/// <summary>
/// The configured forward proxies. A connection keeps its proxy (a new IP triggers MFA and bot checks);
/// it moves only when its proxy is resting after <see cref="ReportBlocked"/> or <see cref="ReportFailure"/>,
/// or the caller excludes it, and then to the healthy proxy with the fewest assignments.
/// </summary>
public sealed class ProxyPool
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger<ProxyPool> _logger;
    private readonly TimeSpan _restPeriod;
    private readonly Entry[] _entries;
    private readonly Dictionary<string, Entry> _byKey;
    private int _cursor;

    public ProxyPool(IOptions<ScraperOptions> options, TimeProvider time, ILogger<ProxyPool> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _logger = logger;
        _restPeriod = options.Value.ProxyRestPeriod;
        var entries = new List<Entry>();
        foreach (var configured in options.Value.Proxies)
        {
            if (!ProxyAddress.TryParse(configured, out var proxy, out var problem))
            {
                throw new InvalidOperationException($"{ScraperOptions.SectionName}:Proxies has an invalid entry: it {problem}");
            }

            if (!entries.Exists(e => e.Key == ProxyAddress.Key(proxy)))
            {
                entries.Add(new Entry(proxy));
            }
        }

        _entries = [.. entries];
        _byKey = _entries.ToDictionary(e => e.Key, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The proxy a connection should use: <paramref name="current"/> when it is configured, healthy and not
    /// excluded; otherwise the healthy proxy with the fewest assignments (round-robin among equals).
    /// <paramref name="exclude"/> is a preference: when it leaves no healthy proxy, it is ignored rather than
    /// sending the connection out directly. Null only when no proxies are configured.
    /// </summary>
    /// <exception cref="PayApiException"><see cref="ErrorCodes.BotBlocked"/> when every configured proxy is resting.</exception>
    public Uri? Choose(string? current, IReadOnlySet<Uri>? exclude = null)
    {
        if (_entries.Length == 0)
        {
            return null;
        }

        var excluded = new HashSet<string>((exclude ?? new HashSet<Uri>()).Select(ProxyAddress.Key), StringComparer.OrdinalIgnoreCase);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (current is not null
                && Uri.TryCreate(current, UriKind.Absolute, out var currentUri)
                && _byKey.TryGetValue(ProxyAddress.Key(currentUri), out var sticky)
                && sticky.IsHealthy(now)
                && !excluded.Contains(sticky.Key))
            {
                return sticky.Proxy;
            }

            var healthy = Enumerable.Range(0, _entries.Length).Where(i => _entries[i].IsHealthy(now)).ToList();
            if (healthy.Count == 0)
            {
                ProxyPoolLog.AllResting(_logger, _entries.Length);
                throw new PayApiException(ErrorCodes.BotBlocked, "Every configured proxy is resting after being blocked or failing; try again later.");
            }

            var candidates = healthy.Where(i => !excluded.Contains(_entries[i].Key)).ToList();
            if (candidates.Count == 0)
            {
                candidates = healthy;
            }

            var fewest = candidates.Min(i => _entries[i].Assignments);
            // Round-robin among the least used: the first at or after the cursor, wrapping around.
            var chosen = candidates
                .Where(i => _entries[i].Assignments == fewest)
                .OrderBy(i => (i - _cursor + _entries.Length) % _entries.Length)
                .First();
            _cursor = (chosen + 1) % _entries.Length;
            _entries[chosen].Assignments++;
            return _entries[chosen].Proxy;
        }
    }

    /// <summary>The provider showed a bot check or block page through this proxy.</summary>
    public void ReportBlocked(Uri proxy) => Rest(proxy, blocked: true);

    /// <summary>The proxy itself failed (refused, timed out, returned a proxy error).</summary>
    public void ReportFailure(Uri proxy) => Rest(proxy, blocked: false);

    public IReadOnlyList<ProxyState> Snapshot()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            return _entries
                .Select(e => new ProxyState(e.Proxy, e.Assignments, e.IsHealthy(now), e.IsHealthy(now) ? null : e.RestingUntil, e.Blocks, e.Failures))
                .ToList();
        }
    }

    private void Rest(Uri proxy, bool blocked)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        var key = ProxyAddress.Key(proxy);
        DateTimeOffset until;
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var entry))
            {
                ProxyPoolLog.UnknownProxy(_logger, key);
                return;
            }

            until = _time.GetUtcNow() + _restPeriod;
            entry.RestingUntil = until;
            if (blocked)
            {
                entry.Blocks++;
            }
            else
            {
                entry.Failures++;
            }
        }

        ProxyPoolLog.Resting(_logger, key, blocked ? "blocked" : "failing", until);
    }

    private sealed class Entry(Uri proxy)
    {
        public Uri Proxy { get; } = proxy;

        public string Key { get; } = ProxyAddress.Key(proxy);

        public int Assignments { get; set; }

        public int Blocks { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset? RestingUntil { get; set; }

        public bool IsHealthy(DateTimeOffset now) => RestingUntil is not { } until || now >= until;
    }
}
