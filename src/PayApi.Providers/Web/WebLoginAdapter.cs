using PayApi.Contracts;
using PayApi.Scraping;

namespace PayApi.Providers.Web;

/// <summary>
/// The provider adapter of every web-login recipe. Logins, MFA and fetches run as browser jobs in the
/// scraper pool (a stateless worker grain on the local silo); the keep-alive is a plain HTTP request with
/// the connection's cookies through its proxy, so a session that still works never costs a browser.
/// </summary>
public sealed class WebLoginAdapter(IWebRecipe recipe, IGrainFactory grains, ProxyPool proxies) : IProviderAdapter
{
    public ProviderInfo Info => recipe.Info;

    public TimeSpan CacheTtl => recipe.CacheTtl;

    public TimeSpan? KeepAliveInterval => recipe.KeepAliveInterval;

    public TimeSpan MinRefreshInterval => recipe.MinRefreshInterval;

    public async Task VerifyAsync(ProviderContext context, CancellationToken cancellationToken) =>
        await RunAsync(context, WebJobKind.Login, null);

    public async Task SubmitMfaAsync(ProviderContext context, string code, CancellationToken cancellationToken) =>
        await RunAsync(context, WebJobKind.SubmitMfa, code);

    public async Task<ProviderData> FetchAllAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var data = (await RunAsync(context, WebJobKind.Fetch, null)).Data
            ?? throw new PayApiException(ErrorCodes.UnexpectedProviderResponse, "The scraper returned no data.");
        return new ProviderData(data.Balances, data.Transactions, data.Payouts);
    }

    // The paged calls exist for API providers; a bank's pages are read in one browser job, then sliced.
    public async Task<IReadOnlyList<BalanceAmount>> GetBalanceAsync(ProviderContext context, CancellationToken cancellationToken) =>
        (await FetchAllAsync(context, cancellationToken)).Balances;

    public async Task<ProviderPage<TransactionItem>> GetTransactionsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken) =>
        Slice((await FetchAllAsync(context, cancellationToken)).Transactions, cursor);

    public async Task<ProviderPage<PayoutItem>> GetPayoutsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken) =>
        Slice((await FetchAllAsync(context, cancellationToken)).Payouts, cursor);

    public async Task<KeepAliveResult> KeepAliveAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        if (context.Session.CookieJar is not { Length: > 0 } jar)
        {
            return KeepAliveResult.SessionExpired;
        }

        var previous = CookieJarSerializer.Deserialize(jar);
        var container = CookieContainerBridge.ToContainer(previous);

        // The connection's sticky proxy while it is healthy and still configured; otherwise the pool's choice,
        // and the connection moves there. A proxy that cannot be reached is rested and the next one tried.
        var proxy = proxies.Choose(context.Session.Proxy);
        var tried = new HashSet<Uri>();
        KeepAliveResult result;
        while (true)
        {
            using var http = KeepAliveClientFactory.Create(proxy, container);
            try
            {
                result = await recipe.KeepAliveAsync(http, cancellationToken);
                break;
            }
            // Only a failure to reach the proxy itself is the proxy's fault; a refused CONNECT (ProxyTunnelError)
            // usually means the provider is down behind it, and resting every proxy for that would stop all jobs.
            catch (HttpRequestException e) when (proxy is not null && e.HttpRequestError == HttpRequestError.ConnectionError)
            {
                proxies.ReportFailure(proxy);
                tried.Add(proxy);
                proxy = NextProxy(tried) ?? throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{Info.Name} could not be reached through any proxy.");
            }
            catch (HttpRequestException)
            {
                throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{Info.Name} could not be reached.");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{Info.Name} did not answer in time.");
            }
            catch (PayApiException e) when (e.Code == ErrorCodes.BotBlocked && proxy is not null)
            {
                proxies.ReportBlocked(proxy); // the next refresh starts from another proxy
                throw;
            }
        }

        context.Session.Proxy = proxy?.ToString();
        // The provider may have renewed the session cookie: keep what it sent.
        context.Session.CookieJar = CookieJarSerializer.Serialize(CookieContainerBridge.FromContainer(container, previous));
        return result;
    }

    private Uri? NextProxy(IReadOnlySet<Uri> tried)
    {
        try
        {
            var next = proxies.Choose(null, tried);
            return next is null || tried.Contains(next) ? null : next;
        }
        catch (PayApiException)
        {
            return null; // every proxy is resting
        }
    }

    private async Task<WebJobResult> RunAsync(ProviderContext context, WebJobKind kind, string? mfaCode)
    {
        var request = new WebJobRequest(kind, Info.Id, context.ClientId, context.ConnectionId, context.Credentials.ToDictionary(),
            context.Session.CookieJar, context.Session.Proxy, mfaCode);
        var result = await grains.GetGrain<IScraperGrain>(0).RunAsync(request);
        if (result.CookieJar is not null)
        {
            context.Session.CookieJar = result.CookieJar;
        }

        context.Session.Proxy = result.Proxy;
        if (result.AccessExpiry is { } notice)
        {
            context.Session.AccessExpiry = new ProviderAccessExpiry(notice.Reason, notice.ExpiresAt);
        }

        return result.Error is { } error ? throw new PayApiException(error.Code, error.Detail) : result;
    }

    private static ProviderPage<T> Slice<T>(IReadOnlyList<T> items, string? cursor)
    {
        const int PageSize = 100;
        var start = cursor is null ? 0 : int.TryParse(cursor, out var at) && at >= 0 ? at : throw PayApiException.Invalid("cursor is not valid for this list.");
        var page = items.Skip(start).Take(PageSize).ToList();
        return new ProviderPage<T>(page, start + page.Count < items.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }
}
