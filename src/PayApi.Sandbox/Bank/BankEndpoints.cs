using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PayApi.Sandbox.Bank;

/// <summary>
/// The sandbox bank's web site: a cookie-session login with CSRF, MFA, remembered devices, a bot
/// check, and account pages to scrape. Nothing here logs; request bodies, cookies and headers carry
/// the test credentials the scraper's secret handling is supposed to protect.
/// </summary>
internal static class BankEndpoints
{
    public const string SessionCookie = "bank_session";
    public const string CsrfCookie = "bank_csrf";
    public const string PendingMfaCookie = "bank_mfa";
    public const int TransactionsPerPage = 20;

    public static void MapBank(this IEndpointRouteBuilder app, string prefix, BankState state, TimeProvider time, TimeSpan loginWindow, string goodPassword)
    {
        var bank = app.MapGroup(prefix);

        bank.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;

            // Pages carry balances and one-time state; a browser or proxy cache must never replay them.
            http.Response.Headers.CacheControl = "no-store";
            if (state.Outage)
            {
                http.Response.Headers.RetryAfter = "120";
                return http.Request.Path.StartsWithSegments(prefix + "/api", StringComparison.Ordinal)
                    ? Results.Json(new { error = "service_unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable)
                    : Html(BankPages.Outage(prefix), StatusCodes.Status503ServiceUnavailable);
            }

            return await next(context).ConfigureAwait(false);
        });

        bank.MapGet("/", (HttpContext http) =>
            SeeOther(prefix + (state.TouchSession(http.Request.Cookies[SessionCookie]) is null ? "/login" : "/dashboard")));

        bank.MapGet("/login", (HttpContext http) => Html(BankPages.Login(prefix, EnsureCsrfToken(http, prefix))));

        // Cast so the returned IResult is written; as a plain RequestDelegate it would be discarded.
        bank.MapPost("/login", (Delegate)(async (HttpContext http) =>
        {
            // The bot check runs before anything else is looked at, so a blocked client learns nothing
            // about the credentials it sent.
            if (state.RegisterLoginAttempt(BankClientAddress.Of(http.Request)))
            {
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(loginWindow.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Html(BankPages.Blocked(prefix), StatusCodes.Status429TooManyRequests);
            }

            var form = await ReadFormAsync(http).ConfigureAwait(false);
            if (!CsrfMatches(http, form))
            {
                return Html(BankPages.CsrfRefused(prefix), StatusCodes.Status400BadRequest);
            }

            var username = form["username"].ToString().Trim();
            var password = form["password"].ToString();
            var csrf = EnsureCsrfToken(http, prefix);
            switch (BankUsers.Evaluate(username, password, goodPassword))
            {
                case LoginOutcome.AccountLocked:
                    return Html(BankPages.Login(prefix, csrf, "account_locked", username));
                case LoginOutcome.PasswordChangeRequired:
                    return SeeOther(prefix + "/password-expired");
                case LoginOutcome.UnexpectedPage:
                    return Html(BankPages.Redesign(prefix, username, password));
                case LoginOutcome.Connected:
                    return SignIn(http, prefix, state, username);
                case LoginOutcome.MfaRequired:
                    if (BankDeviceCookie.IsValidFor(http.Request.Cookies[BankDeviceCookie.Name], username, time.GetUtcNow()))
                    {
                        return SignIn(http, prefix, state, username);
                    }

                    http.Response.Cookies.Append(PendingMfaCookie, state.CreatePendingMfa(username), CookieOptions(prefix, BankState.PendingMfaLifetime));
                    return SeeOther(prefix + "/mfa");
                default:
                    return Html(BankPages.Login(prefix, csrf, "invalid_credentials", username));
            }
        }));

        bank.MapGet("/password-expired", () => Html(BankPages.PasswordExpired(prefix)));

        bank.MapGet("/mfa", (HttpContext http) =>
            state.FindPendingMfa(http.Request.Cookies[PendingMfaCookie]) is null
                ? SeeOther(prefix + "/login")
                : Html(BankPages.Mfa(prefix, EnsureCsrfToken(http, prefix), wrongCode: false)));

        bank.MapPost("/mfa", (Delegate)(async (HttpContext http) =>
        {
            var pendingToken = http.Request.Cookies[PendingMfaCookie];
            var pending = state.FindPendingMfa(pendingToken);
            if (pending is null || pendingToken is null)
            {
                return SeeOther(prefix + "/login");
            }

            var form = await ReadFormAsync(http).ConfigureAwait(false);
            if (!CsrfMatches(http, form))
            {
                return Html(BankPages.CsrfRefused(prefix), StatusCodes.Status400BadRequest);
            }

            var code = form["code"].ToString().Trim();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(code), Encoding.UTF8.GetBytes(BankUsers.MfaCode)))
            {
                state.RegisterWrongMfaCode(pendingToken, pending);
                return Html(BankPages.Mfa(prefix, EnsureCsrfToken(http, prefix), wrongCode: true));
            }

            state.CompletePendingMfa(pendingToken);
            if (form["remember_device"].ToString() == "1")
            {
                http.Response.Cookies.Append(
                    BankDeviceCookie.Name,
                    BankDeviceCookie.Issue(pending.Username, time.GetUtcNow()),
                    CookieOptions(prefix, BankDeviceCookie.Lifetime));
            }

            return SignIn(http, prefix, state, pending.Username);
        }));

        bank.MapGet("/dashboard", (HttpContext http) =>
            Authenticated(http, prefix, state, username => Html(BankPages.Dashboard(prefix, BankAccountData.For(username), BankUsers.PasswordExpiresAt(username, time.GetUtcNow())))));

        bank.MapGet("/transactions", (HttpContext http) => Authenticated(http, prefix, state, username =>
        {
            var all = BankAccountData.For(username).Transactions;
            var pageCount = Math.Max(1, (all.Count + TransactionsPerPage - 1) / TransactionsPerPage);
            var page = int.TryParse(http.Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p >= 1 ? p : 1;
            var rows = all.Skip((int)Math.Min((long)(page - 1) * TransactionsPerPage, all.Count)).Take(TransactionsPerPage).ToList();
            return Html(BankPages.Transactions(prefix, rows, page, pageCount));
        }));

        bank.MapGet("/payouts", (HttpContext http) =>
            Authenticated(http, prefix, state, username => Html(BankPages.Payouts(prefix, BankAccountData.For(username)))));

        // The keep-alive a refresh job calls without a browser; it refreshes the idle timer like a page view.
        bank.MapGet("/api/session", (HttpContext http) =>
            state.TouchSession(http.Request.Cookies[SessionCookie]) is { } username
                ? Results.Json(new { active = true, username })
                : Results.Json(new { active = false }, statusCode: StatusCodes.Status401Unauthorized));

        bank.MapFallback(() => Html(BankPages.NotFound(prefix), StatusCodes.Status404NotFound));
    }

    private static IResult Authenticated(HttpContext http, string prefix, BankState state, Func<string, IResult> page)
    {
        var token = http.Request.Cookies[SessionCookie];
        var username = state.TouchSession(token);
        if (username is not null)
        {
            return page(username);
        }

        if (token is not null)
        {
            // Like a real bank, drop the dead cookie so the browser starts clean at the login page.
            http.Response.Cookies.Delete(SessionCookie, new CookieOptions { Path = prefix });
        }

        return SeeOther(prefix + "/login");
    }

    private static IResult SignIn(HttpContext http, string prefix, BankState state, string username)
    {
        // A browser session cookie (no expiry): the server-side idle timeout is what ends it.
        http.Response.Cookies.Append(SessionCookie, state.CreateSession(username), CookieOptions(prefix, maxAge: null));
        if (http.Request.Cookies.ContainsKey(PendingMfaCookie))
        {
            http.Response.Cookies.Delete(PendingMfaCookie, new CookieOptions { Path = prefix });
        }

        return SeeOther(prefix + "/dashboard");
    }

    /// <summary>The double-submit token: reuse the cookie's so several open tabs keep working, else mint one.</summary>
    private static string EnsureCsrfToken(HttpContext http, string prefix)
    {
        var existing = http.Request.Cookies[CsrfCookie];
        if (existing is { Length: >= 32 and <= 128 } && existing.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return existing;
        }

        // Set once per request: a second Append would send two Set-Cookie headers with different values.
        if (http.Items.TryGetValue(CsrfCookie, out var minted) && minted is string already)
        {
            return already;
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        http.Items[CsrfCookie] = token;
        http.Response.Cookies.Append(CsrfCookie, token, CookieOptions(prefix, maxAge: null));
        return token;
    }

    private static bool CsrfMatches(HttpContext http, IFormCollection form)
    {
        var cookie = http.Request.Cookies[CsrfCookie];
        var posted = form["csrf_token"].ToString();
        return !string.IsNullOrEmpty(cookie)
            && posted.Length > 0
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(cookie), Encoding.UTF8.GetBytes(posted));
    }

    private static async Task<IFormCollection> ReadFormAsync(HttpContext http) =>
        http.Request.HasFormContentType
            ? await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false)
            : FormCollection.Empty;

    private static CookieOptions CookieOptions(string prefix, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        Path = prefix,
        SameSite = SameSiteMode.Lax,
        IsEssential = true,

        // Not Secure: the sandbox serves plain HTTP on loopback, where a Secure cookie would never come back.
        Secure = false,
        MaxAge = maxAge,
    };

    private static IResult Html(string html, int statusCode = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, statusCode);

    /// <summary>303 rather than 302: after a POST the browser must follow with a GET, as real banks do.</summary>
    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
