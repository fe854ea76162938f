using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Orleans.Concurrency;
using PayApi.Contracts;
using PayApi.Providers;
using PayApi.Providers.Web;
using PayApi.Scraping;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>
/// The scraper pool: a stateless worker, so each silo runs jobs in its own browser pool, with as many
/// activations as jobs the pool admits. It picks the connection's sticky proxy, moves to another proxy
/// only after a typed <c>bot_blocked</c>, and keeps a redacted failure bundle of any page a recipe does
/// not understand.
/// </summary>
[StatelessWorker]
public sealed partial class ScraperGrain(
    IEnumerable<IWebRecipe> recipes,
    BrowserPool browsers,
    ProxyPool proxies,
    FailureBundleStore bundles,
    ILogger<ScraperGrain> logger) : Grain, IScraperGrain
{
    public async Task<WebJobResult> RunAsync(WebJobRequest request)
    {
        var recipe = recipes.FirstOrDefault(r => r.Info.Id == request.ProviderId)
            ?? throw PayApiException.Invalid("provider is not a web-login provider.");
        var tried = new HashSet<Uri>();
        var proxy = proxies.Choose(request.Proxy);
        var cookies = request.CookieJar is { Length: > 0 } jar ? CookieJarSerializer.Deserialize(jar) : [];
        while (true)
        {
            var result = await RunOnceAsync(recipe, request, proxy, cookies);
            if (result.Error?.Code != ErrorCodes.BotBlocked || proxy is null)
            {
                return result;
            }

            // Blocked: rest this proxy and try the job from another address.
            proxies.ReportBlocked(proxy);
            tried.Add(proxy);
            LogBlocked(logger, request.ConnectionId, request.ProviderId, tried.Count);
            Uri? next;
            try
            {
                next = proxies.Choose(null, tried);
            }
            catch (PayApiException)
            {
                next = null;
            }

            // Choose falls back to tried proxies when every untried one is resting (or a rest period of zero put
            // a blocked one straight back): never retry an address that was already blocked in this job.
            if (next is null || tried.Contains(next))
            {
                return result with { Error = new ErrorInfo(ErrorCodes.BotBlocked, "The provider's bot check blocked every proxy tried. Retry later.") };
            }

            proxy = next;
        }
    }

    private async Task<WebJobResult> RunOnceAsync(IWebRecipe recipe, WebJobRequest request, Uri? proxy, IReadOnlyList<StoredCookie> cookies)
    {
        var credentials = new ProviderCredentials(request.Credentials);
        var stage = "waiting for a browser"; // which step a timed-out job was in, for the operator
        try
        {
            return await browsers.RunAsync(new BrowserJob(proxy, cookies), async (context, ct) =>
            {
                // The job keeps running for a moment after its time limit (until its context closes); the stage
                // reported is the one the limit caught it in, not where the unwinding got to.
                void Enter(string next)
                {
                    if (!ct.IsCancellationRequested)
                    {
                        stage = next;
                    }
                }

                Enter("opening a page");
                var page = await context.NewPageAsync();
                Enter(request.Kind switch
                {
                    WebJobKind.Login => "signing in",
                    WebJobKind.SubmitMfa => "submitting the one-time code",
                    _ => "fetching data",
                });
                ErrorInfo? error = null;
                WebScrape? data = null;
                AccessExpiryNotice? notice = null;
                try
                {
                    switch (request.Kind)
                    {
                        case WebJobKind.Login:
                            await recipe.LoginAsync(page, credentials, ct);
                            notice = await recipe.ReadAccessNoticeAsync(page, ct);
                            break;
                        case WebJobKind.SubmitMfa:
                            await recipe.SubmitMfaAsync(page, request.MfaCode ?? "", ct);
                            notice = await recipe.ReadAccessNoticeAsync(page, ct);
                            break;
                        default:
                            data = await recipe.FetchAsync(page, credentials, ct);
                            notice = data.AccessExpiry;
                            break;
                    }
                }
                catch (PayApiException ex)
                {
                    error = new ErrorInfo(ex.Code, ex.Detail);
                }
                catch (PlaywrightException ex) when (ex.Message.Contains("net::ERR_", StringComparison.Ordinal))
                {
                    // The network failed, not the page: nothing to keep, and the proxy may be at fault.
                    if (proxy is not null && ex.Message.Contains("ERR_PROXY", StringComparison.Ordinal))
                    {
                        proxies.ReportFailure(proxy);
                    }

                    error = new ErrorInfo(ErrorCodes.ProviderUnavailable, $"{recipe.Info.Name} could not be reached. Try again later.");
                }
                catch (Exception ex) when (ex is not OperationCanceledException && !ct.IsCancellationRequested) // not the closed context of a stopped job
                {
                    // An unknown page, a browser error on it, or a recipe that tripped over what it found.
                    Enter("keeping a failure bundle");
                    error = await KeepBundleAsync(page, request, ex);
                }

                // The jar is returned on failure too: an MFA step resumes from these cookies.
                Enter("exporting cookies");
                var jar = CookieJarSerializer.Serialize(await BrowserPool.ExportCookiesAsync(context));
                return new WebJobResult(error, jar, proxy?.ToString(), data, error is null ? notice : null);
            }, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            LogTimedOut(logger, request.ConnectionId, request.ProviderId, stage);
            if (proxy is not null)
            {
                proxies.ReportFailure(proxy);
            }

            return new WebJobResult(new ErrorInfo(ErrorCodes.ProviderUnavailable, $"{recipe.Info.Name} did not answer in time."), null, proxy?.ToString(), null);
        }
        catch (Exception ex) when (ex is PlaywrightException or ObjectDisposedException or InvalidOperationException)
        {
            // Outside the recipe (which has its own catch above): Chromium would not start, crashed past the page,
            // or the pool is shutting down. Our fault, not the provider's.
            LogBrowserFailed(logger, request.ConnectionId, stage, ex.GetType().Name);
            return new WebJobResult(new ErrorInfo(ErrorCodes.DependencyUnavailable, "The browser pool could not run this job. Try again later."), null, proxy?.ToString(), null);
        }
    }

    private async Task<ErrorInfo> KeepBundleAsync(IPage page, WebJobRequest request, Exception failure)
    {
        var reason = failure switch
        {
            UnexpectedPageException => failure.Message,
            PlaywrightException => "The browser failed on the provider's page.",
            _ => $"The recipe failed on the provider's page ({failure.GetType().Name}).",
        };
        try
        {
            var owner = new EncryptionContext(request.ClientId, request.ConnectionId);
            var bundleId = await bundles.CaptureAsync(page, owner, request.Credentials.Values, reason, CancellationToken.None);
            LogBundleKept(logger, request.ConnectionId, request.ProviderId, bundleId);
            return new ErrorInfo(ErrorCodes.UnexpectedProviderResponse, $"The provider showed a page we do not understand; failure bundle {bundleId} was kept for the operator.");
        }
        catch (Exception ex) when (ex is PlaywrightException or IOException or PayApiException)
        {
            LogBundleFailed(logger, request.ConnectionId, ex.GetType().Name);
            return new ErrorInfo(ErrorCodes.UnexpectedProviderResponse, "The provider showed a page we do not understand.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId}: the browser failed while {Stage} ({ExceptionType})")]
    private static partial void LogBrowserFailed(ILogger logger, string connectionId, string stage, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: the {Provider} browser job was stopped at its time limit while {Stage}")]
    private static partial void LogTimedOut(ILogger logger, string connectionId, string provider, string stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: {Provider} blocked the proxy; {Tried} tried so far")]
    private static partial void LogBlocked(ILogger logger, string connectionId, string provider, int tried);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: unexpected {Provider} page; failure bundle {BundleId} kept")]
    private static partial void LogBundleKept(ILogger logger, string connectionId, string provider, string bundleId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId}: could not keep a failure bundle ({ExceptionType})")]
    private static partial void LogBundleFailed(ILogger logger, string connectionId, string exceptionType);
}
