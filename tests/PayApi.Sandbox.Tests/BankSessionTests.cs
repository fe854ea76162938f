using System.Net;
using System.Text.Json;

namespace PayApi.Sandbox.Tests;

public sealed class BankSessionTests
{
    [Fact]
    public async Task Keep_alive_reports_the_user_and_401_without_a_session()
    {
        await using var server = await Sandbox.StartAsync();
        using var client = new BankClient(server);

        var anonymous = await client.GetAsync("api/session");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.False(JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()).RootElement.GetProperty("active").GetBoolean());

        Sandbox.AssertSeeOther(await client.LoginAsync("user_good", "pass_good"), "/bank/dashboard");
        var active = await client.GetAsync("api/session");

        Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        Assert.Equal("application/json", active.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await active.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal("user_good", body.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Idle_session_expires()
    {
        await using var server = await Sandbox.StartAsync(o => o.BankSessionIdleTimeout = TimeSpan.FromSeconds(2));
        using var client = new BankClient(server);
        Sandbox.AssertSeeOther(await client.LoginAsync("user_good", "pass_good"), "/bank/dashboard");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("dashboard")).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(0, server.BankActiveSessions);
        Sandbox.AssertSeeOther(await client.GetAsync("dashboard"), "/bank/login");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/session")).StatusCode);
    }

    [Fact]
    public async Task Keep_alive_and_page_views_extend_the_session_past_the_idle_timeout()
    {
        var idle = TimeSpan.FromSeconds(3);
        await using var server = await Sandbox.StartAsync(o => o.BankSessionIdleTimeout = idle);
        using var client = new BankClient(server);
        Sandbox.AssertSeeOther(await client.LoginAsync("user_good", "pass_good"), "/bank/dashboard");
        var loggedIn = DateTime.UtcNow;

        // Touch well inside the timeout until the session has lived clearly longer than it.
        var i = 0;
        while (DateTime.UtcNow - loggedIn < idle * 1.7)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var response = await client.GetAsync(i++ % 2 == 0 ? "api/session" : "payouts");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("dashboard")).StatusCode);
        Assert.Equal(1, server.BankActiveSessions);
    }
}
