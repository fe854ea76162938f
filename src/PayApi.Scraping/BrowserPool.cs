using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using PayApi.Telemetry;

namespace PayApi.Scraping;

/// <summary>
/// The silo's one Chromium: launched on first use, a fresh context per job (the connection's cookies
/// and proxy), at most <see cref="ScraperOptions.MaxConcurrentJobs"/> jobs at once, replaced after
/// <see cref="ScraperOptions.RecycleAfterJobs"/> jobs or when it disconnects.
/// </summary>
public sealed class BrowserPool : IAsyncDisposable
{
    /// <summary>The Chromium flags every launch uses (the benchmark's baseline launches with the same).</summary>
    public static readonly IReadOnlyList<string> LaunchArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    // Chromium sends loopback straight out even with a proxy set; providers are never on loopback,
    // but a proxy that silently does not apply would hide a leak, so loopback is proxied too.
    private const string ProxyLoopbackToo = "<-loopback>";

    private readonly ScraperOptions _options;
    private readonly ILogger<BrowserPool> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _launchGate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private IPlaywright? _playwright;
    private BrowserInstance? _current;
    private long _browserLaunches;
    private long _jobsRun;
    private int _activeJobs;
    private bool _disposed;

    public BrowserPool(IOptions<ScraperOptions> options, ILogger<BrowserPool> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.MaxConcurrentJobs, _options.MaxConcurrentJobs);
    }

    /// <summary>Chromium processes launched so far.</summary>
    public long BrowserLaunches => Interlocked.Read(ref _browserLaunches);

    /// <summary>Jobs that got a browser context.</summary>
    public long JobsRun => Interlocked.Read(ref _jobsRun);

    /// <summary>Jobs running right now; never above <see cref="ScraperOptions.MaxConcurrentJobs"/>.</summary>
    public int ActiveJobs => Volatile.Read(ref _activeJobs);

    /// <summary>
    /// Runs <paramref name="work"/> in a fresh browser context. The token handed to it fires on
    /// <paramref name="ct"/>, at <see cref="ScraperOptions.JobTimeout"/>, or at shutdown; at the timeout
    /// the context is closed and a <see cref="TimeoutException"/> is thrown.
    /// </summary>
    public async Task<T> RunAsync<T>(BrowserJob job, Func<IBrowserContext, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(_disposed, this);
        // One span per job, from the wait for a slot to the end; it names nothing of the job (no URL, no proxy, no cookie).
        using var activity = PayApiTelemetry.Source.StartActivity("browser job", ActivityKind.Internal);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        PayApiTelemetry.BrowserQueue.Add(1);
        try
        {
            await _slots.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            PayApiTelemetry.BrowserQueue.Add(-1);
        }

        try
        {
            // A browser that died between jobs may still look connected; one relaunch covers that gap.
            for (var attempt = 1; ; attempt++)
            {
                var instance = await AcquireAsync(ct).ConfigureAwait(false);
                IBrowserContext context;
                try
                {
                    context = await instance.Browser.NewContextAsync(ContextOptions(job)).ConfigureAwait(false);
                }
                catch (PlaywrightException) when (attempt == 1)
                {
                    lock (_gate)
                    {
                        Retire(instance);
                    }

                    await ReleaseAsync(instance).ConfigureAwait(false);
                    continue;
                }
                catch
                {
                    await ReleaseAsync(instance).ConfigureAwait(false);
                    throw;
                }

                Interlocked.Increment(ref _activeJobs);
                Interlocked.Increment(ref _jobsRun);
                PayApiTelemetry.BrowserActive.Add(1);
                try
                {
                    var result = await RunInContextAsync(context, job, work, ct).ConfigureAwait(false);
                    outcome = "ok";
                    return result;
                }
                catch (TimeoutException)
                {
                    outcome = "timeout";
                    throw;
                }
                finally
                {
                    PayApiTelemetry.BrowserActive.Add(-1);
                    Interlocked.Decrement(ref _activeJobs);
                    await ReleaseAsync(instance).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _slots.Release();
            var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
            PayApiTelemetry.BrowserJobs.Add(1, outcomeTag);
            PayApiTelemetry.BrowserJobDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, outcomeTag);
            activity?.SetTag("payapi.outcome", outcome);
            if (outcome != "ok")
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    /// <summary>The context's cookies as they should be written back to the connection's jar.</summary>
    public static async Task<IReadOnlyList<StoredCookie>> ExportCookiesAsync(IBrowserContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cookies = await context.CookiesAsync().ConfigureAwait(false);
        return cookies
            .Select(c => new StoredCookie(c.Name, c.Value, c.Domain, c.Path, c.Expires, c.HttpOnly, c.Secure, FromPlaywright(c.SameSite)))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        BrowserInstance? current;
        IPlaywright? playwright;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            current = _current;
            _current = null;
            playwright = _playwright;
            _playwright = null;
            if (current is not null)
            {
                current.Retired = true;
                current.Closed = true;
            }
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (current is not null)
        {
            await CloseQuietlyAsync(current).ConfigureAwait(false);
        }

        playwright?.Dispose();
        _disposing.Dispose();
    }

    private static BrowserNewContextOptions ContextOptions(BrowserJob job)
    {
        var options = new BrowserNewContextOptions();
        if (job.Proxy is { } proxy)
        {
            options.Proxy = new Proxy { Server = ProxyAddress.Key(proxy), Bypass = ProxyLoopbackToo };
        }

        return options;
    }

    private async Task<T> RunInContextAsync<T>(
        IBrowserContext context, BrowserJob job, Func<IBrowserContext, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(_options.JobTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token, _disposing.Token);
        try
        {
            context.SetDefaultTimeout((float)_options.JobTimeout.TotalMilliseconds);
            context.SetDefaultNavigationTimeout((float)_options.JobTimeout.TotalMilliseconds);
            if (job.Cookies.Count > 0)
            {
                await context.AddCookiesAsync(job.Cookies.Select(ToPlaywright)).ConfigureAwait(false);
            }

            // Playwright calls take no token; closing the context is what stops a job mid-call.
            await using var stop = linked.Token.Register(() => _ = CloseContextQuietlyAsync(context)).ConfigureAwait(false);
            return await work(context, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested && e is OperationCanceledException or PlaywrightException)
        {
            BrowserPoolLog.JobTimedOut(_logger, _options.JobTimeout);
            throw new TimeoutException($"The browser job ran longer than {ScraperOptions.SectionName}:JobTimeout ({_options.JobTimeout}).", e);
        }
        finally
        {
            await CloseContextQuietlyAsync(context).ConfigureAwait(false);
        }
    }

    private async Task<BrowserInstance> AcquireAsync(CancellationToken ct)
    {
        await _launchGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            BrowserInstance? toClose = null;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_current is { } current)
                {
                    if (current.CanTake(_options.RecycleAfterJobs))
                    {
                        current.JobsStarted++;
                        current.Active++;
                        return current;
                    }

                    toClose = Retire(current);
                }
            }

            if (toClose is not null)
            {
                await CloseQuietlyAsync(toClose).ConfigureAwait(false);
            }

            var fresh = await LaunchAsync().ConfigureAwait(false);
            lock (_gate)
            {
                if (_disposed)
                {
                    fresh.Closed = true;
                }
                else
                {
                    fresh.JobsStarted = 1;
                    fresh.Active = 1;
                    _current = fresh;
                    return fresh;
                }
            }

            await CloseQuietlyAsync(fresh).ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(BrowserPool));
        }
        finally
        {
            _launchGate.Release();
        }
    }

    private async Task ReleaseAsync(BrowserInstance instance)
    {
        BrowserInstance? toClose = null;
        lock (_gate)
        {
            instance.Active--;
            if (!instance.Retired && ReferenceEquals(instance, _current) && instance.JobsStarted >= _options.RecycleAfterJobs)
            {
                // Used up: free its memory now rather than at the next job.
                toClose = Retire(instance);
            }
            else if (instance.Retired && instance.Active == 0 && !instance.Closed)
            {
                instance.Closed = true;
                toClose = instance;
            }
        }

        if (toClose is not null)
        {
            await CloseQuietlyAsync(toClose).ConfigureAwait(false);
        }
    }

    /// <summary>Takes an instance out of service; returns it when it can be closed right away. Caller holds the lock.</summary>
    private BrowserInstance? Retire(BrowserInstance instance)
    {
        if (instance.Browser.IsConnected && !instance.Retired)
        {
            BrowserPoolLog.Recycling(_logger, instance.Number, instance.JobsStarted);
        }

        instance.Retired = true;
        if (ReferenceEquals(_current, instance))
        {
            _current = null;
        }

        if (instance.Active == 0 && !instance.Closed)
        {
            instance.Closed = true;
            return instance;
        }

        return null;
    }

    private async Task<BrowserInstance> LaunchAsync()
    {
        var path = ChromiumLocator.Locate(_options.ChromiumPath);
        var playwright = _playwright ??= await Playwright.CreateAsync().ConfigureAwait(false);
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = LaunchArgs,
            Timeout = 60_000,
        }).ConfigureAwait(false);
        var instance = new BrowserInstance(browser, Interlocked.Increment(ref _browserLaunches));
        browser.Disconnected += (_, _) => OnDisconnected(instance);
        BrowserPoolLog.Launched(_logger, instance.Number, path);
        return instance;
    }

    private void OnDisconnected(BrowserInstance instance)
    {
        lock (_gate)
        {
            if (instance.Closed)
            {
                return;
            }

            instance.Retired = true;
            if (ReferenceEquals(_current, instance))
            {
                _current = null;
            }
        }

        BrowserPoolLog.Disconnected(_logger, instance.Number);
    }

    private async Task CloseQuietlyAsync(BrowserInstance instance)
    {
        try
        {
            await instance.Browser.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is PlaywrightException or ObjectDisposedException or InvalidOperationException or TimeoutException)
        {
            BrowserPoolLog.CloseFailed(_logger, e.GetType().Name);
        }
    }

    private async Task CloseContextQuietlyAsync(IBrowserContext context)
    {
        try
        {
            await context.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is PlaywrightException or ObjectDisposedException or InvalidOperationException or TimeoutException)
        {
            BrowserPoolLog.CloseFailed(_logger, e.GetType().Name);
        }
    }

    private static Cookie ToPlaywright(StoredCookie cookie) => new()
    {
        Name = cookie.Name,
        Value = cookie.Value,
        Domain = cookie.Domain,
        Path = string.IsNullOrEmpty(cookie.Path) ? "/" : cookie.Path,
        Expires = cookie.IsSession ? -1 : (float)cookie.Expires,
        HttpOnly = cookie.HttpOnly,
        Secure = cookie.Secure,
        // Chromium refuses SameSite=None without Secure; Lax is what it would have applied anyway.
        SameSite = cookie.SameSite switch
        {
            CookieSameSite.Strict => SameSiteAttribute.Strict,
            CookieSameSite.None when cookie.Secure => SameSiteAttribute.None,
            _ => SameSiteAttribute.Lax,
        },
    };

    private static CookieSameSite FromPlaywright(SameSiteAttribute? sameSite) => sameSite switch
    {
        SameSiteAttribute.Strict => CookieSameSite.Strict,
        SameSiteAttribute.None => CookieSameSite.None,
        _ => CookieSameSite.Lax,
    };
}
