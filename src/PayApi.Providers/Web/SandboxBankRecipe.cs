using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using PayApi.Contracts;

namespace PayApi.Providers.Web;

/// <summary>
/// The recipe of <c>sandbox-bank</c>: a server-rendered login with CSRF token, an MFA page with a
/// "remember this device" box, a dashboard of balances, paginated transactions and a payouts page.
/// Outcomes are read from the page's <c>data-error</c> markers, never from wording. A provider declared in
/// configuration with this recipe's kind runs it under its own id and name.
/// </summary>
public sealed class SandboxBankRecipe(
    Uri baseUrl,
    TimeSpan? cacheTtl = null,
    TimeSpan? keepAliveInterval = null,
    string providerId = SandboxBankRecipe.ProviderId,
    string name = SandboxBankRecipe.DefaultName,
    TimeSpan? minRefreshInterval = null) : IWebRecipe
{
    public const string ProviderId = "sandbox-bank";

    public const string DefaultName = "Sandbox Bank";

    // A bank statement should not be able to page forever.
    private const int MaxTransactionPages = 100;

    // How long a submitted form may take to bring the next page; the job's own limit bounds everything else.
    private static readonly TimeSpan SubmitTimeout = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> LoginErrors = new(StringComparer.Ordinal)
    {
        ErrorCodes.InvalidCredentials,
        ErrorCodes.AccountLocked,
        ErrorCodes.PasswordChangeRequired,
        ErrorCodes.InvalidMfaCode,
        ErrorCodes.BotBlocked,
    };

    private readonly Uri _base = new(baseUrl.ToString().TrimEnd('/') + "/");

    public ProviderInfo Info { get; } = new(
        providerId,
        name,
        "password",
        true,
        [Capabilities.Balance, Capabilities.Transactions, Capabilities.Payouts],
        [new ProviderField("username", "Username", false), new ProviderField("password", "Password", true)]);

    public TimeSpan CacheTtl { get; } = cacheTtl ?? TimeSpan.FromMinutes(15);

    /// <summary>Half the bank's idle timeout (10 minutes by default), so one late keep-alive still lands in time.</summary>
    public TimeSpan KeepAliveInterval { get; } = keepAliveInterval ?? TimeSpan.FromMinutes(5);

    public TimeSpan MinRefreshInterval { get; } = minRefreshInterval ?? ProvidersServiceCollectionExtensions.SandboxMinRefreshInterval;

    public async Task LoginAsync(IPage page, ProviderCredentials credentials, CancellationToken cancellationToken)
    {
        await GoAsync(page, "login");
        if (await page.QuerySelectorAsync("#login-form") is null)
        {
            throw new UnexpectedPageException("the login form is missing");
        }

        await page.FillAsync("#username", credentials["username"]);
        await page.FillAsync("#password", credentials["password"]);
        await SubmitAsync(page, "#login-button");
        await ClassifyAfterLoginAsync(page);
    }

    public async Task SubmitMfaAsync(IPage page, string code, CancellationToken cancellationToken)
    {
        await GoAsync(page, "mfa");
        if (IsAt(page, "login"))
        {
            throw new PayApiException(ErrorCodes.LoginRequired, "The sign-in waiting for this code has expired. Enter your credentials again.");
        }

        if (await page.QuerySelectorAsync("#mfa-form") is null)
        {
            throw new UnexpectedPageException("the one-time code form is missing");
        }

        await page.FillAsync("#code", code);
        await page.CheckAsync("#remember-device"); // later re-logins skip MFA where the bank allows it
        await SubmitAsync(page, "#mfa-button");
        await ClassifyAfterLoginAsync(page);
    }

    public async Task<AccessExpiryNotice?> ReadAccessNoticeAsync(IPage page, CancellationToken cancellationToken)
    {
        if (!IsAt(page, "dashboard") || await page.QuerySelectorAsync("#password-expiry") is not { } banner)
        {
            return null;
        }

        var date = await banner.GetAttributeAsync("data-expires-at");
        return new AccessExpiryNotice(
            "password_expiring",
            DateOnly.TryParseExact(date, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)
                ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                : null);
    }

    public async Task<WebScrape> FetchAsync(IPage page, ProviderCredentials credentials, CancellationToken cancellationToken)
    {
        await GoAsync(page, "dashboard");
        if (IsAt(page, "login"))
        {
            // The session is gone: log in again with the stored credentials, without the end-user.
            await LoginAsync(page, credentials, cancellationToken);
            await GoAsync(page, "dashboard");
        }

        var notice = await ReadAccessNoticeAsync(page, cancellationToken);
        var balances = await ReadBalancesAsync(page);
        var transactions = new List<TransactionItem>();
        var next = "transactions?page=1";
        for (var pageNumber = 0; next is not null; pageNumber++)
        {
            if (pageNumber >= MaxTransactionPages)
            {
                throw new UnexpectedPageException("the transaction pages never end");
            }

            await GoAsync(page, next);
            transactions.AddRange(await ReadTransactionsAsync(page));
            // QuerySelector, not GetAttribute(selector): the latter waits for a link the last page never has.
            var link = await page.QuerySelectorAsync("#next-page");
            next = link is not null && await link.GetAttributeAsync("href") is { } href ? href.TrimStart('/') : null;
            if (next is not null && next.StartsWith(_base.AbsolutePath.TrimStart('/'), StringComparison.Ordinal))
            {
                next = next[_base.AbsolutePath.TrimStart('/').Length..];
            }
        }

        await GoAsync(page, "payouts");
        var payouts = await ReadPayoutsAsync(page);
        return new WebScrape(balances, transactions, payouts, notice);
    }

    public async Task<KeepAliveResult> KeepAliveAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(_base, "api/session"), cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => KeepAliveResult.Alive,
            HttpStatusCode.Unauthorized or HttpStatusCode.SeeOther or HttpStatusCode.Found => KeepAliveResult.SessionExpired,
            HttpStatusCode.TooManyRequests => throw new PayApiException(ErrorCodes.BotBlocked, "The bank's bot check blocked the keep-alive."),
            >= HttpStatusCode.InternalServerError => throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{name} is not answering right now."),
            _ => throw new PayApiException(ErrorCodes.UnexpectedProviderResponse, $"{name} answered the keep-alive with {(int)response.StatusCode}."),
        };
    }

    private async Task GoAsync(IPage page, string relative)
    {
        var response = await page.GotoAsync(new Uri(_base, relative).ToString(), new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await ThrowOnErrorStatusAsync(page, response);
    }

    private async Task SubmitAsync(IPage page, string button)
    {
        // Listen before clicking: the main frame committing a new document is the only proof the form was
        // sent and answered (a load-state wait after the click could see the old page); the last main-frame
        // document response, after any redirects, is the outcome.
        IResponse? last = null;
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnResponse(object? sender, IResponse response)
        {
            if (response.Request.IsNavigationRequest && response.Frame == page.MainFrame)
            {
                last = response;
            }
        }

        void OnNavigated(object? sender, IFrame frame)
        {
            if (frame == page.MainFrame)
            {
                committed.TrySetResult();
            }
        }

        // A mark on the document the form is on: the answer is a document without it. A commit event that was still
        // on its way from an earlier navigation must not make the recipe read the old page as the answer.
        await page.EvaluateAsync("() => { window.__payapiSubmitted = true; }");
        page.Response += OnResponse;
        page.FrameNavigated += OnNavigated;
        try
        {
            // Not Playwright's own wait for the navigation the click starts (bounded only by the job's limit): the
            // commit and document waits below are ours, and bounded. The option is marked deprecated but click still
            // honours it.
#pragma warning disable CS0612
            await page.ClickAsync(button, new() { NoWaitAfter = true });
#pragma warning restore CS0612
            try
            {
                await committed.Task.WaitAsync(SubmitTimeout);
            }
            catch (TimeoutException)
            {
                throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{name} did not answer the sign-in in time. Try again later.");
            }

            await WaitForDocumentAsync(page);
            await WaitForNewDocumentAsync(page);
        }
        finally
        {
            page.Response -= OnResponse;
            page.FrameNavigated -= OnNavigated;
        }

        await ThrowOnErrorStatusAsync(page, last);
    }

    /// <summary>
    /// Waits until the committed document is parsed. Now and then Playwright never reports DOMContentLoaded for a
    /// document that committed (seen about once in 900 sign-ins, which then waited out the job's whole limit), so
    /// the lifecycle event is given a few seconds and the document's own <c>readyState</c> is asked after that.
    /// Playwright's waits time out with <see cref="System.TimeoutException"/>, which is not a
    /// <see cref="PlaywrightException"/>: both are caught, or the fallback never runs and the sign-in reads as an
    /// unknown page.
    /// </summary>
    private async Task WaitForDocumentAsync(IPage page)
    {
        try
        {
            await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded, new() { Timeout = 5_000 });
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            try
            {
                await page.WaitForFunctionAsync("() => document.readyState !== 'loading'", null, new() { Timeout = (float)SubmitTimeout.TotalMilliseconds, PollingInterval = 100 });
            }
            catch (Exception again) when (again is PlaywrightException or TimeoutException)
            {
                throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{name} did not finish loading the page in time. Try again later.");
            }
        }
    }

    // Playwright's function wait outlives navigations: it asks again in each new document until one lacks the mark.
    private async Task WaitForNewDocumentAsync(IPage page)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "() => window.__payapiSubmitted !== true && document.readyState !== 'loading'",
                null,
                new() { Timeout = (float)SubmitTimeout.TotalMilliseconds, PollingInterval = 50 });
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{name} did not answer the sign-in in time. Try again later.");
        }
    }

    private async Task ThrowOnErrorStatusAsync(IPage page, IResponse? response)
    {
        if (await MarkerAsync(page) == ErrorCodes.BotBlocked || response?.Status == 429)
        {
            throw new PayApiException(ErrorCodes.BotBlocked, "The bank's bot check blocked this sign-in.");
        }

        if (response is { Status: >= 500 })
        {
            throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{name} is not answering right now. Try again later.");
        }
    }

    private async Task ClassifyAfterLoginAsync(IPage page)
    {
        var marker = await MarkerAsync(page);
        if (marker is not null && LoginErrors.Contains(marker))
        {
            throw new PayApiException(marker, marker switch
            {
                ErrorCodes.InvalidCredentials => "The bank rejected the username or password.",
                ErrorCodes.AccountLocked => "The bank has locked this account. Unlock it with the bank, then connect again.",
                ErrorCodes.PasswordChangeRequired => "The bank requires a new password. Change it at the bank, then connect again.",
                ErrorCodes.InvalidMfaCode => "That code is not right. Check the latest code and try again.",
                _ => "The bank's bot check blocked this sign-in.",
            });
        }

        if (IsAt(page, "mfa") && await page.QuerySelectorAsync("#mfa-form") is not null)
        {
            throw new PayApiException(ErrorCodes.MfaRequired, "The bank sent a one-time code. Enter it to finish connecting.");
        }

        if (IsAt(page, "dashboard") && await page.QuerySelectorAsync("#balances") is not null)
        {
            return;
        }

        throw new UnexpectedPageException("the page after sign-in is not one the recipe knows");
    }

    private static async Task<string?> MarkerAsync(IPage page)
    {
        var marker = await page.QuerySelectorAsync("[data-error]");
        return marker is null ? null : await marker.GetAttributeAsync("data-error");
    }

    private bool IsAt(IPage page, string relative) =>
        Uri.TryCreate(page.Url, UriKind.Absolute, out var url) && url.AbsolutePath == new Uri(_base, relative).AbsolutePath;

    private static async Task<IReadOnlyList<BalanceAmount>> ReadBalancesAsync(IPage page)
    {
        var rows = await page.QuerySelectorAllAsync("#balances tr[data-currency]");
        if (rows.Count == 0)
        {
            throw new UnexpectedPageException("the balances table is missing");
        }

        var balances = new List<BalanceAmount>();
        foreach (var row in rows)
        {
            var currency = await AttributeAsync(row, "data-currency");
            var available = await AmountAsync(row, ".available");
            var pending = await AmountAsync(row, ".pending");
            balances.Add(new BalanceAmount(currency.ToLowerInvariant(), available, pending));
        }

        return balances;
    }

    private static async Task<IReadOnlyList<TransactionItem>> ReadTransactionsAsync(IPage page)
    {
        if (await page.QuerySelectorAsync("#transactions") is null)
        {
            throw new UnexpectedPageException("the transactions table is missing");
        }

        var items = new List<TransactionItem>();
        foreach (var row in await page.QuerySelectorAllAsync("#transactions tr[data-id]"))
        {
            var description = await row.QuerySelectorAsync(".description") is { } cell ? (await cell.InnerTextAsync()).Trim() : "";
            items.Add(new TransactionItem(
                await AttributeAsync(row, "data-id"),
                Time(await AttributeAsync(row, "data-date")),
                Number(await AttributeAsync(row, "data-amount")),
                (await AttributeAsync(row, "data-currency")).ToLowerInvariant(),
                description,
                await AttributeAsync(row, "data-status")));
        }

        return items;
    }

    private static async Task<IReadOnlyList<PayoutItem>> ReadPayoutsAsync(IPage page)
    {
        if (await page.QuerySelectorAsync("#payouts") is null)
        {
            throw new UnexpectedPageException("the payouts table is missing");
        }

        var items = new List<PayoutItem>();
        foreach (var row in await page.QuerySelectorAllAsync("#payouts tr[data-id]"))
        {
            items.Add(new PayoutItem(
                await AttributeAsync(row, "data-id"),
                Time(await AttributeAsync(row, "data-arrival-date")),
                Number(await AttributeAsync(row, "data-amount")),
                (await AttributeAsync(row, "data-currency")).ToLowerInvariant(),
                await AttributeAsync(row, "data-status")));
        }

        return items;
    }

    private static async Task<string> AttributeAsync(IElementHandle element, string name) =>
        await element.GetAttributeAsync(name) ?? throw new UnexpectedPageException($"a row lacks {name}");

    private static async Task<long> AmountAsync(IElementHandle row, string selector) =>
        await row.QuerySelectorAsync(selector) is { } cell
            ? Number(await AttributeAsync(cell, "data-amount"))
            : throw new UnexpectedPageException($"a balance row lacks {selector}");

    private static long Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UnexpectedPageException("an amount is not a number");

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw new UnexpectedPageException("a date is not a date");
}
