using System.Net;

namespace PayApi.Sandbox.Tests;

public sealed class BankLoginTests
{
    [Fact]
    public async Task Login_page_has_the_contracted_form_and_a_matching_csrf_cookie()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        var (response, html) = await client.GetPageAsync("login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<form id=\"login-form\" method=\"post\" action=\"/bank/login\"", html, StringComparison.Ordinal);
        Assert.Contains("<input name=\"username\" id=\"username\"", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"password\" name=\"password\" id=\"password\"", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" id=\"login-button\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("login-error", html, StringComparison.Ordinal);
        var csrfCookie = client.Cookie("bank_csrf");
        Assert.NotNull(csrfCookie);
        Assert.Contains($"name=\"csrf_token\" value=\"{csrfCookie.Value}\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Good_user_gets_an_http_only_session_cookie_and_the_dashboard()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        var login = await client.LoginAsync("user_good", "pass_good");

        Sandbox.AssertSeeOther(login, "/bank/dashboard");
        var setCookie = Assert.Single(Sandbox.SetCookies(login), c => c.StartsWith("bank_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/bank", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, server.BankActiveSessions);

        var (dashboard, html) = await client.GetPageAsync("dashboard");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("<table id=\"balances\">", html, StringComparison.Ordinal);
        Assert.Contains("<span id=\"account-holder\">", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/bank/transactions\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/bank/payouts\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user_good", "wrong")]
    [InlineData("user_mfa", "")]
    [InlineData("user_expired", "pass_bad")]
    [InlineData("user_flaky", "nope")]
    [InlineData("nobody", "pass_good")]
    public async Task Unknown_user_or_wrong_password_shows_invalid_credentials(string username, string password)
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        var response = await client.LoginAsync(username, password);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<div id=\"login-error\"", html, StringComparison.Ordinal);
        Assert.Contains("data-error=\"invalid_credentials\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"login-form\"", html, StringComparison.Ordinal);
        Assert.Null(client.Cookie("bank_session"));
        Assert.Null(client.Cookie("bank_mfa"));
        Assert.Equal(0, server.BankActiveSessions);
    }

    [Theory]
    [InlineData("pass_good")]
    [InlineData("anything")]
    public async Task Locked_user_is_refused_whatever_the_password(string password)
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        var response = await client.LoginAsync("user_locked", password);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("id=\"login-error\"", html, StringComparison.Ordinal);
        Assert.Contains("data-error=\"account_locked\"", html, StringComparison.Ordinal);
        Assert.Null(client.Cookie("bank_session"));
    }

    [Fact]
    public async Task Expired_password_redirects_to_the_password_change_page()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        var response = await client.LoginAsync("user_expired", "pass_good");

        Sandbox.AssertSeeOther(response, "/bank/password-expired");
        Assert.Null(client.Cookie("bank_session"));
        var (page, html) = await client.GetPageAsync("password-expired");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<div id=\"login-error\"", html, StringComparison.Ordinal);
        Assert.Contains("data-error=\"password_change_required\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flaky_user_gets_a_page_none_of_the_recipe_selectors_match()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        var response = await client.LoginAsync("user_flaky", "pass_good");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>We've redesigned online banking!</h1>", html, StringComparison.Ordinal);
        foreach (var id in new[] { "login-form", "login-error", "mfa-form", "balances", "transactions", "payouts", "account-holder", "blocked" })
        {
            Assert.DoesNotContain($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("data-error", html, StringComparison.Ordinal);
        Assert.Null(client.Cookie("bank_session"));
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("missing-field")]
    [InlineData("missing-cookie")]
    public async Task Csrf_mismatch_is_refused_before_the_credentials_are_looked_at(string variant)
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        var csrf = variant == "missing-cookie" ? "a-token-the-bank-never-issued-to-this-browser" : await client.CsrfTokenAsync();

        var fields = new List<(string, string)> { ("username", "user_good"), ("password", "pass_good") };
        if (variant != "missing-field")
        {
            fields.Add(("csrf_token", variant == "tampered" ? csrf + "x" : csrf));
        }

        var response = await client.PostFormAsync("login", [.. fields]);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<div class=\"error\" data-error=\"csrf\">", html, StringComparison.Ordinal);
        Assert.Null(client.Cookie("bank_session"));
        Assert.Equal(0, server.BankActiveSessions);
    }

    [Theory]
    [InlineData("dashboard")]
    [InlineData("transactions?page=2")]
    [InlineData("payouts")]
    [InlineData("")]
    public async Task Authenticated_pages_without_a_session_redirect_to_login(string page)
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        Sandbox.AssertSeeOther(await client.GetAsync(page), "/bank/login");
    }

    [Fact]
    public async Task Forged_session_cookie_redirects_to_login()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        client.Cookies.Add(client.Bank, new System.Net.Cookie("bank_session", "forged-session-token", "/bank"));

        Sandbox.AssertSeeOther(await client.GetAsync("dashboard"), "/bank/login");
    }

    [Fact]
    public async Task Outage_answers_503_everywhere_until_switched_off()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        var csrf = await client.CsrfTokenAsync();
        Sandbox.AssertSeeOther(await client.LoginAsync("user_good", "pass_good"), "/bank/dashboard");

        server.BankOutage = true;
        foreach (var page in new[] { "login", "dashboard", "transactions", "payouts", "api/session" })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(page)).StatusCode);
        }

        var post = await client.PostFormAsync("login", ("csrf_token", csrf), ("username", "user_good"), ("password", "pass_good"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Contains("temporarily unavailable", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        server.BankOutage = false;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("dashboard")).StatusCode);
    }

    [Fact]
    public async Task Stripe_api_keeps_working_beside_the_bank()
    {
        await using var server = await Sandbox.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.StripeBaseAddress, "v1/balance"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "rk_test_sandboxbanktests");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri(server.BaseAddress, "bank/"), server.BankBaseAddress);
    }
}
