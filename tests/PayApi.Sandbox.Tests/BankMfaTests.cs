using System.Net;

namespace PayApi.Sandbox.Tests;

public sealed class BankMfaTests
{
    [Fact]
    public async Task Mfa_user_is_sent_to_the_code_page_with_the_contracted_form()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        var login = await client.LoginAsync("user_mfa", "pass_good");

        Sandbox.AssertSeeOther(login, "/bank/mfa");
        Assert.Null(client.Cookie("bank_session"));
        Assert.NotNull(client.Cookie("bank_mfa"));
        var (page, html) = await client.GetPageAsync("mfa");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form id=\"mfa-form\" method=\"post\" action=\"/bank/mfa\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"csrf_token\"", html, StringComparison.Ordinal);
        Assert.Contains("<input name=\"code\" id=\"code\" inputmode=\"numeric\"", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"checkbox\" name=\"remember_device\" id=\"remember-device\" value=\"1\">", html, StringComparison.Ordinal);
        Assert.Contains("<button type=\"submit\" id=\"mfa-button\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("mfa-error", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_codes_keep_the_pending_login_and_the_right_code_signs_in()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        Sandbox.AssertSeeOther(await client.LoginAsync("user_mfa", "pass_good"), "/bank/mfa");

        foreach (var wrong in new[] { "000000", "654321" })
        {
            var response = await client.SubmitMfaAsync(wrong, rememberDevice: false);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("<div id=\"mfa-error\"", html, StringComparison.Ordinal);
            Assert.Contains("data-error=\"invalid_mfa_code\"", html, StringComparison.Ordinal);
            Assert.Contains("id=\"mfa-form\"", html, StringComparison.Ordinal);
            Assert.Null(client.Cookie("bank_session"));
        }

        var right = await client.SubmitMfaAsync("123456", rememberDevice: false);

        Sandbox.AssertSeeOther(right, "/bank/dashboard");
        Assert.NotNull(client.Cookie("bank_session"));
        Assert.Null(client.Cookie("bank_device"));
        Assert.Null(client.Cookie("bank_mfa"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("dashboard")).StatusCode);

        // The pending login was used up; the code page cannot be replayed.
        Sandbox.AssertSeeOther(await client.GetAsync("mfa"), "/bank/login");
    }

    [Fact]
    public async Task Code_page_without_a_pending_login_redirects_to_login()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        var csrf = await client.CsrfTokenAsync();

        Sandbox.AssertSeeOther(await client.GetAsync("mfa"), "/bank/login");
        Sandbox.AssertSeeOther(await client.PostFormAsync("mfa", ("csrf_token", csrf), ("code", "123456")), "/bank/login");
        Assert.Null(client.Cookie("bank_session"));
    }

    [Fact]
    public async Task Too_many_wrong_codes_drop_the_pending_login()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        Sandbox.AssertSeeOther(await client.LoginAsync("user_mfa", "pass_good"), "/bank/mfa");
        var csrf = await client.CsrfTokenAsync("mfa");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostFormAsync("mfa", ("csrf_token", csrf), ("code", "999999"))).StatusCode);
        }

        Sandbox.AssertSeeOther(await client.PostFormAsync("mfa", ("csrf_token", csrf), ("code", "123456")), "/bank/login");
        Assert.Null(client.Cookie("bank_session"));
    }

    [Fact]
    public async Task Remembered_device_skips_mfa_and_survives_a_restart_while_the_session_does_not()
    {
        var cookies = new CookieContainer();
        await using (var first = await Sandbox.StartAsync())
        {
            using var client = new BankClient(first, cookies);
            Sandbox.AssertSeeOther(await client.LoginAsync("user_mfa", "pass_good"), "/bank/mfa");
            var verified = await client.SubmitMfaAsync("123456", rememberDevice: true);
            Sandbox.AssertSeeOther(verified, "/bank/dashboard");

            var device = Assert.Single(Sandbox.SetCookies(verified), c => c.StartsWith("bank_device=", StringComparison.Ordinal));
            Assert.Contains("httponly", device, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/bank", device, StringComparison.OrdinalIgnoreCase);
            var deviceCookie = client.Cookie("bank_device");
            Assert.NotNull(deviceCookie);
            Assert.InRange(deviceCookie.Expires, DateTime.Now.AddDays(89), DateTime.Now.AddDays(91));

            // A later login on the same sandbox goes straight in.
            Sandbox.AssertSeeOther(await client.LoginAsync("user_mfa", "pass_good"), "/bank/dashboard");
        }

        await using var second = await Sandbox.StartAsync();
        using var restarted = new BankClient(second, cookies);
        Assert.NotNull(restarted.Cookie("bank_session"));

        // The old session died with the old process.
        Sandbox.AssertSeeOther(await restarted.GetAsync("dashboard"), "/bank/login");
        Assert.Equal(0, second.BankActiveSessions);

        // The device cookie is signed with a fixed secret, so the new process still honours it.
        Sandbox.AssertSeeOther(await restarted.LoginAsync("user_mfa", "pass_good"), "/bank/dashboard");
        Assert.Equal(HttpStatusCode.OK, (await restarted.GetAsync("dashboard")).StatusCode);
    }

    [Fact]
    public async Task Tampered_device_cookie_does_not_skip_mfa()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);
        Sandbox.AssertSeeOther(await client.LoginAsync("user_mfa", "pass_good"), "/bank/mfa");
        Sandbox.AssertSeeOther(await client.SubmitMfaAsync("123456", rememberDevice: true), "/bank/dashboard");
        var genuine = client.Cookie("bank_device")!.Value;
        var dot = genuine.IndexOf('.', StringComparison.Ordinal);
        var flipped = genuine[dot + 1] == 'A' ? 'B' : 'A';
        client.Cookies.Add(client.Bank, new Cookie("bank_device", genuine[..(dot + 1)] + flipped + genuine[(dot + 2)..], "/bank"));

        Sandbox.AssertSeeOther(await client.LoginAsync("user_mfa", "pass_good"), "/bank/mfa");
    }
}
