using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace PayApi.Sandbox.Bank;

/// <summary>
/// Server-rendered HTML of the bank. The ids, names and data-attributes are a contract with the
/// Playwright recipe that scrapes this site; the visible text around them is free to change.
/// </summary>
internal static class BankPages
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Login(string prefix, string csrfToken, string? errorCode = null, string? username = null)
    {
        var body = new StringBuilder();
        body.Append("<section class=\"card\"><h1>Sign in to online banking</h1>");
        if (errorCode is not null)
        {
            body.Append("<div id=\"login-error\" class=\"error\" role=\"alert\" data-error=\"").Append(E(errorCode)).Append("\">")
                .Append(E(LoginErrorText(errorCode))).Append("</div>");
        }

        body.Append("<form id=\"login-form\" method=\"post\" action=\"").Append(E(prefix)).Append("/login\" autocomplete=\"on\">")
            .Append(CsrfInput(csrfToken))
            .Append("<label for=\"username\">Username</label>")
            .Append("<input name=\"username\" id=\"username\" type=\"text\" autocomplete=\"username\" value=\"").Append(E(username ?? string.Empty)).Append("\">")
            .Append("<label for=\"password\">Password</label>")
            .Append("<input type=\"password\" name=\"password\" id=\"password\" autocomplete=\"current-password\">")
            .Append("<button type=\"submit\" id=\"login-button\">Sign in</button>")
            .Append("</form><p class=\"help\"><a href=\"#\">Forgot your username or password?</a></p></section>");
        return Layout("Sign in", prefix, body.ToString(), authenticated: false);
    }

    public static string PasswordExpired(string prefix) => Layout("Password expired", prefix,
        "<section class=\"card\"><h1>Your password has expired</h1>"
        + "<div id=\"login-error\" class=\"error\" role=\"alert\" data-error=\"password_change_required\">"
        + "For your security, please choose a new password before you continue.</div>"
        + "<p>Call us at 1-800-555-0100 or visit a branch to reset your password.</p></section>",
        authenticated: false);

    public static string Mfa(string prefix, string csrfToken, bool wrongCode)
    {
        var body = new StringBuilder();
        body.Append("<section class=\"card\"><h1>Verify it's you</h1>")
            .Append("<p>We sent a 6-digit code to the phone number ending in 0147.</p>");
        if (wrongCode)
        {
            body.Append("<div id=\"mfa-error\" class=\"error\" role=\"alert\" data-error=\"invalid_mfa_code\">")
                .Append("That code didn't match. Check the code and try again.</div>");
        }

        body.Append("<form id=\"mfa-form\" method=\"post\" action=\"").Append(E(prefix)).Append("/mfa\">")
            .Append(CsrfInput(csrfToken))
            .Append("<label for=\"code\">Verification code</label>")
            .Append("<input name=\"code\" id=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\">")
            .Append("<label class=\"checkbox\"><input type=\"checkbox\" name=\"remember_device\" id=\"remember-device\" value=\"1\"> Remember this device for 90 days</label>")
            .Append("<button type=\"submit\" id=\"mfa-button\">Verify</button>")
            .Append("</form></section>");
        return Layout("Verify it's you", prefix, body.ToString(), authenticated: false);
    }

    public static string Dashboard(string prefix, BankAccountData data, DateTimeOffset? passwordExpiresAt = null)
    {
        var body = new StringBuilder();
        if (passwordExpiresAt is { } expires)
        {
            // The kind of notice real banks show: the login still works, but not for long.
            body.Append("<p id=\"password-expiry\" role=\"alert\" data-expires-at=\"").Append(expires.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                .Append("\">Your password expires on ").Append(expires.UtcDateTime.ToString("d MMMM yyyy", CultureInfo.InvariantCulture))
                .Append(". Change it before then to keep access.</p>");
        }

        body.Append("<h1>Welcome back, <span id=\"account-holder\">").Append(E(data.AccountHolder)).Append("</span></h1>")
            .Append("<h2>Balances</h2><table id=\"balances\"><thead><tr><th>Available</th><th>Pending</th></tr></thead><tbody>");
        foreach (var balance in data.Balances)
        {
            body.Append("<tr data-currency=\"").Append(E(balance.Currency)).Append("\">")
                .Append("<td class=\"available\" data-amount=\"").Append(Num(balance.Available)).Append("\">").Append(E(Money(balance.Available, balance.Currency))).Append("</td>")
                .Append("<td class=\"pending\" data-amount=\"").Append(Num(balance.Pending)).Append("\">").Append(E(Money(balance.Pending, balance.Currency))).Append("</td>")
                .Append("</tr>");
        }

        body.Append("</tbody></table>");
        return Layout("Accounts", prefix, body.ToString(), authenticated: true);
    }

    public static string Transactions(string prefix, IReadOnlyList<BankTransaction> page, int pageNumber, int pageCount)
    {
        var body = new StringBuilder();
        body.Append("<h1>Transactions</h1><table id=\"transactions\"><thead><tr><th>Date</th><th>Description</th><th>Amount</th></tr></thead><tbody>");
        foreach (var t in page)
        {
            body.Append("<tr data-id=\"").Append(E(t.Id))
                .Append("\" data-date=\"").Append(IsoDate(t.Date))
                .Append("\" data-amount=\"").Append(Num(t.Amount))
                .Append("\" data-currency=\"").Append(E(t.Currency))
                .Append("\" data-status=\"").Append(E(t.Status)).Append("\">")
                .Append("<td class=\"date\">").Append(E(t.Date.ToString("MMM d, yyyy", Invariant))).Append("</td>")
                .Append("<td class=\"description\">").Append(E(t.Description)).Append("</td>")
                .Append("<td class=\"amount\">").Append(E(Money(t.Amount, t.Currency))).Append("</td></tr>");
        }

        body.Append("</tbody></table><nav class=\"pager\"><span id=\"page-info\">Page ")
            .Append(Num(pageNumber)).Append(" of ").Append(Num(pageCount)).Append("</span>");
        if (pageNumber > 1 && pageNumber <= pageCount)
        {
            body.Append(" <a id=\"previous-page\" href=\"").Append(E(prefix)).Append("/transactions?page=").Append(Num(pageNumber - 1)).Append("\">Previous</a>");
        }

        if (pageNumber < pageCount)
        {
            body.Append(" <a id=\"next-page\" href=\"").Append(E(prefix)).Append("/transactions?page=").Append(Num(pageNumber + 1)).Append("\">Next</a>");
        }

        body.Append("</nav>");
        return Layout("Transactions", prefix, body.ToString(), authenticated: true);
    }

    public static string Payouts(string prefix, BankAccountData data)
    {
        var body = new StringBuilder();
        body.Append("<h1>Incoming payouts</h1><table id=\"payouts\"><thead><tr><th>Arrival</th><th>Amount</th><th>Status</th></tr></thead><tbody>");
        foreach (var p in data.Payouts)
        {
            body.Append("<tr data-id=\"").Append(E(p.Id))
                .Append("\" data-arrival-date=\"").Append(IsoDate(p.ArrivalDate))
                .Append("\" data-amount=\"").Append(Num(p.Amount))
                .Append("\" data-currency=\"").Append(E(p.Currency))
                .Append("\" data-status=\"").Append(E(p.Status)).Append("\">")
                .Append("<td class=\"arrival-date\">").Append(E(p.ArrivalDate.ToString("MMM d, yyyy", Invariant))).Append("</td>")
                .Append("<td class=\"amount\">").Append(E(Money(p.Amount, p.Currency))).Append("</td>")
                .Append("<td class=\"status\">").Append(E(p.Status.Replace('_', ' '))).Append("</td></tr>");
        }

        body.Append("</tbody></table>");
        return Layout("Payouts", prefix, body.ToString(), authenticated: true);
    }

    /// <summary>What user_flaky sees: a plausible page that matches none of the recipe's selectors.</summary>
    // Like sloppy real sites, the interstitial echoes the submitted sign-in back into the page, so a
    // failure bundle of it proves that secrets are scrubbed from the DOM before the screenshot.
    public static string Redesign(string prefix, string username, string password) => Layout("Welcome", prefix,
        "<section class=\"promo\"><h1>We've redesigned online banking!</h1>"
        + "<p>Take a quick tour of the new experience before you continue, <span class=\"who\">" + E(username) + "</span>.</p>"
        + "<form class=\"confirm\"><label for=\"confirm-password\">Confirm your password</label>"
        + "<input type=\"password\" id=\"confirm-password\" name=\"confirm_password\" value=\"" + E(password) + "\">"
        + "<input type=\"hidden\" name=\"remembered\" value=\"" + E(password) + "\"></form>"
        + "<a class=\"cta\" href=\"#tour\">Start the tour</a></section>",
        authenticated: false);

    public static string Outage(string prefix) => Layout("Service unavailable", prefix,
        "<section class=\"card\"><h1>Online banking is temporarily unavailable</h1>"
        + "<div class=\"error\" data-error=\"service_unavailable\">We're performing maintenance. Please try again later.</div></section>",
        authenticated: false);

    public static string Blocked(string prefix) => Layout("Access blocked", prefix,
        "<section class=\"card\"><h1>Unusual activity detected</h1>"
        + "<div id=\"blocked\" class=\"error\" data-error=\"bot_blocked\">Too many sign-in attempts from your network. Please wait and try again later.</div></section>",
        authenticated: false);

    public static string CsrfRefused(string prefix) => Layout("Session expired", prefix,
        "<section class=\"card\"><h1>Your form has expired</h1>"
        + "<div class=\"error\" data-error=\"csrf\">For your security, please go back, reload the page and try again.</div>"
        + "<p><a href=\"" + E(prefix) + "/login\">Return to sign in</a></p></section>",
        authenticated: false);

    public static string NotFound(string prefix) => Layout("Page not found", prefix,
        "<section class=\"card\"><h1>We can't find that page</h1><p><a href=\"" + E(prefix) + "/dashboard\">Go to your accounts</a></p></section>",
        authenticated: false);

    private static string Layout(string title, string prefix, string body, bool authenticated)
    {
        var html = new StringBuilder(4096);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" | Sandbox Bank</title>")
            .Append("<style>body{font-family:sans-serif;margin:0;background:#f4f6f8}header{background:#0b3d5c;color:#fff;padding:12px 24px}")
            .Append("main{max-width:960px;margin:24px auto;background:#fff;padding:24px}table{border-collapse:collapse;width:100%}")
            .Append("td,th{border-bottom:1px solid #ddd;padding:6px;text-align:left}.error{color:#a00;margin:12px 0}")
            .Append("nav a{color:#fff;margin-right:16px}label{display:block;margin-top:12px}</style></head><body>")
            .Append("<header><strong class=\"brand\">Sandbox Bank</strong>");
        if (authenticated)
        {
            html.Append("<nav id=\"main-nav\">")
                .Append("<a id=\"nav-dashboard\" href=\"").Append(E(prefix)).Append("/dashboard\">Accounts</a>")
                .Append("<a id=\"nav-transactions\" href=\"").Append(E(prefix)).Append("/transactions\">Transactions</a>")
                .Append("<a id=\"nav-payouts\" href=\"").Append(E(prefix)).Append("/payouts\">Payouts</a>")
                .Append("</nav>");
        }

        html.Append("</header><main>").Append(body).Append("</main>")
            .Append("<footer><small>Sandbox Bank is a fictional institution for testing. Member FDIC (not really).</small></footer>")
            .Append("</body></html>");
        return html.ToString();
    }

    private static string CsrfInput(string token) =>
        "<input type=\"hidden\" name=\"csrf_token\" value=\"" + E(token) + "\">";

    private static string LoginErrorText(string code) => code switch
    {
        "account_locked" => "Your account has been locked. Please contact customer support.",
        "invalid_credentials" => "The username or password you entered is incorrect.",
        _ => "We couldn't sign you in.",
    };

    /// <summary>e.g. <c>-$1,234.56</c>; amounts are minor units.</summary>
    internal static string Money(long minorUnits, string currency)
    {
        var symbol = currency switch
        {
            "usd" => "$",
            "eur" => "\u20AC",
            _ => currency.ToUpperInvariant() + " ",
        };
        var sign = minorUnits < 0 ? "-" : string.Empty;
        return sign + symbol + (Math.Abs((decimal)minorUnits) / 100m).ToString("N2", Invariant);
    }

    private static string IsoDate(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", Invariant);

    private static string Num(long value) => value.ToString(Invariant);

    private static string E(string value) => HtmlEncoder.Default.Encode(value);
}
