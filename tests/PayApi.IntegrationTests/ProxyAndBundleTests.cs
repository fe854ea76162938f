using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PayApi.Sandbox;
using PayApi.Scraping;
using PayApi.Testing;
using PayApi.Vault;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>Rotating proxies and failure bundles, with real tinyproxy instances and the sandbox bank's bot check.</summary>
public sealed class ProxyAndBundleTests
{
    [Fact]
    public async Task A_blocked_proxy_is_rested_the_job_moves_and_the_connection_sticks_to_the_new_proxy()
    {
        await using var proxyA = await Tinyproxy.StartAsync("proxy-a");
        await using var proxyB = await Tinyproxy.StartAsync("proxy-b");
        const int limit = 3;
        await using var host = await StartWithProxiesAsync(
            proxyA,
            proxyB,
            $"--PayApi:Sandbox:BankLoginLimit={limit}",
            "--PayApi:Sandbox:BankLoginWindow=00:10:00");
        var sandbox = host.Service<SandboxServer>();

        // Someone else has used proxy-a up at the bank: its next login is blocked.
        for (var i = 0; i < limit; i++)
        {
            // A client per request: tinyproxy may close a kept-alive connection just as the next request reuses it.
            using var viaA = KeepAliveClientFactory.Create(proxyA.Address, new CookieContainer());
            using var response = await viaA.PostAsync(new Uri(sandbox.BankBaseAddress, "login"), new FormUrlEncodedContent([]));
        }

        Assert.Equal(limit, sandbox.BankLoginsByClientAddress()["proxy-a"]);

        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (connectionId, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");

        // The login was tried through proxy-a, blocked there, and succeeded through proxy-b.
        var byAddress = sandbox.BankLoginsByClientAddress();
        Assert.Equal(limit + 1, byAddress["proxy-a"]);
        Assert.Equal(1, byAddress["proxy-b"]);
        var states = host.Service<ProxyPool>().Snapshot();
        Assert.False(states.Single(s => s.Proxy.Port == proxyA.Address.Port).Healthy);

        // Later traffic of this connection goes through proxy-b only: a browser fetch and a keep-alive.
        var aBefore = proxyA.RequestCount;
        var bBefore = proxyB.RequestCount;
        await api.RefreshAndWaitAsync(token);

        await WebLoginTests.FireRefreshReminderAsync(host, connectionId);
        await WaitForAsync(() => proxyB.RequestCount > bBefore + 1);
        Assert.Equal(aBefore, proxyA.RequestCount);
        Assert.Equal(1, sandbox.BankLoginsByClientAddress()["proxy-b"]);
        await WebLoginTests.AssertStatusAsync(api, token, "connected");
    }

    [Fact]
    public async Task A_keep_alive_whose_proxy_is_gone_rests_it_and_moves_the_connection_without_a_browser()
    {
        var proxyA = await Tinyproxy.StartAsync("proxy-a");
        await using var proxyB = await Tinyproxy.StartAsync("proxy-b");
        await using var host = await StartWithProxiesAsync(proxyA, proxyB);
        var sandbox = host.Service<SandboxServer>();
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (connectionId, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");

        // A read waits for the connect's first fetch (a browser job through proxy-a), so no job is still to come.
        using (var balance = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectAsync(balance, HttpStatusCode.OK);
        }

        await WebLoginTests.AssertStatusAsync(api, token, "connected");
        Assert.Equal(1, sandbox.BankLoginsByClientAddress()["proxy-a"]);
        Assert.True(host.Service<ProxyPool>().Snapshot().All(p => p.Healthy));

        // proxy-a dies. The keep-alive rests it, goes through proxy-b with the same cookies, and the session lives.
        await proxyA.DisposeAsync();
        var jobsBefore = host.Service<BrowserPool>().JobsRun;
        var bBefore = proxyB.RequestCount;
        await WebLoginTests.FireRefreshReminderAsync(host, connectionId);
        await WebLoginTests.AssertStatusAsync(api, token, "connected");
        Assert.Equal(jobsBefore, host.Service<BrowserPool>().JobsRun);
        Assert.Equal(1, sandbox.BankLoginAttempts);
        Assert.True(proxyB.RequestCount > bBefore, "the keep-alive should have gone through proxy-b");
        Assert.False(host.Service<ProxyPool>().Snapshot().Single(p => p.Proxy.Port == proxyA.Address.Port).Healthy);

        // The connection now lives on proxy-b: the next keep-alive goes straight there.
        var bAfterMove = proxyB.RequestCount;
        await WebLoginTests.FireRefreshReminderAsync(host, connectionId);
        Assert.Equal(bAfterMove + 1, proxyB.RequestCount);
        await WebLoginTests.AssertStatusAsync(api, token, "connected");
    }

    [Fact]
    public async Task An_end_user_retrying_after_a_wrong_password_comes_from_the_same_proxy()
    {
        await using var proxyA = await Tinyproxy.StartAsync("proxy-a");
        await using var proxyB = await Tinyproxy.StartAsync("proxy-b");
        await using var host = await StartWithProxiesAsync(proxyA, proxyB);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "u1" })).GetProperty("session_id").GetString()!;
        await api.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username = "user_good", password = "typo" });
        Assert.Equal("invalid_credentials", (await api.WaitForSessionAsync(client, sessionId)).GetProperty("error").GetProperty("code").GetString());
        await api.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username = "user_good", password = "pass_good" });
        Assert.Equal("succeeded", (await api.WaitForSessionAsync(client, sessionId)).GetProperty("status").GetString());

        var byAddress = host.Service<SandboxServer>().BankLoginsByClientAddress();
        var used = Assert.Single(byAddress);
        Assert.Equal(2, used.Value);
    }

    [Fact]
    public async Task When_every_proxy_is_blocked_the_login_stops_with_bot_blocked_after_one_try_each()
    {
        await using var proxyA = await Tinyproxy.StartAsync("proxy-a");
        await using var proxyB = await Tinyproxy.StartAsync("proxy-b");
        await using var host = await StartWithProxiesAsync(
            proxyA,
            proxyB,
            "--PayApi:Scraper:ProxyRestPeriod=00:00:00", // a blocked proxy is straight back: only the job's own memory stops it
            "--PayApi:Sandbox:BankLoginLimit=1",
            "--PayApi:Sandbox:BankLoginWindow=00:10:00");
        var sandbox = host.Service<SandboxServer>();
        foreach (var proxy in new[] { proxyA, proxyB })
        {
            using var via = KeepAliveClientFactory.Create(proxy.Address, new CookieContainer());
            using var response = await via.PostAsync(new Uri(sandbox.BankBaseAddress, "login"), new FormUrlEncodedContent([]));
        }

        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "u1" })).GetProperty("session_id").GetString()!;
        await api.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username = "user_good", password = "pass_good" });
        var state = await api.WaitForSessionAsync(client, sessionId);
        if (state.GetProperty("error").GetProperty("code").GetString() != "bot_blocked")
        {
            // Say which page the recipe did not know: the bundle's reason is kept in clear for the operator.
            using var bundles = await api.SendAsync(HttpMethod.Get, "/admin/v1/failure-bundles", ApiClient.Admin());
            Assert.Fail(state.GetProperty("error").GetRawText() + "\n" + await bundles.Content.ReadAsStringAsync());
        }

        var byAddress = sandbox.BankLoginsByClientAddress();
        Assert.Equal(2, byAddress["proxy-a"]);
        Assert.Equal(2, byAddress["proxy-b"]);
    }

    [Fact]
    public async Task An_unexpected_page_keeps_an_encrypted_redacted_bundle_for_five_days()
    {
        var canary = "CANARYflaky" + Guid.NewGuid().ToString("N");
        var dataDir = TestHost.NewDataDir();
        var logs = new CapturedLogs();
        await using var host = await TestHost.StartAsync(dataDir, logs, $"--PayApi:Sandbox:BankPassword={canary}");
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "u1" })).GetProperty("session_id").GetString()!;
        await api.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username = "user_flaky", password = canary });
        var state = await api.WaitForSessionAsync(client, sessionId);
        Assert.Equal("unexpected_provider_response", state.GetProperty("error").GetProperty("code").GetString());

        using var list = await api.SendAsync(HttpMethod.Get, "/admin/v1/failure-bundles", ApiClient.Admin());
        var bundle = Assert.Single((await ApiClient.ExpectAsync(list, HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
        var bundleId = bundle.GetProperty("bundle_id").GetString()!;
        var connectionId = bundle.GetProperty("connection_id").GetString()!;
        Assert.Equal(client.ClientId, bundle.GetProperty("client_id").GetString());
        Assert.Contains(bundleId, state.GetProperty("error").GetProperty("detail").GetString(), StringComparison.Ordinal);
        using (var mine = await api.SendAsync(HttpMethod.Get, $"/admin/v1/failure-bundles?connection_id={connectionId}", ApiClient.Admin()))
        {
            var only = Assert.Single((await ApiClient.ExpectAsync(mine, HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
            Assert.Equal(bundleId, only.GetProperty("bundle_id").GetString());
        }

        using (var others = await api.SendAsync(HttpMethod.Get, $"/admin/v1/failure-bundles?connection_id={PayApi.Contracts.Ids.NewConnectionId()}", ApiClient.Admin()))
        {
            Assert.Empty((await ApiClient.ExpectAsync(others, HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
        }

        // On disk: one artifact, neither a PNG nor HTML, and no password in it.
        var files = Directory.GetFiles(Path.Combine(dataDir, "artifacts"), "*", SearchOption.AllDirectories);
        var stored = await File.ReadAllBytesAsync(Assert.Single(files));
        Assert.False(stored.AsSpan().IndexOf(PngMagic.AsSpan(0, 4)) >= 0);
        Assert.False(stored.AsSpan().IndexOf("<html"u8) >= 0);
        Assert.False(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary)) >= 0);
        // Nor in any encoding a plaintext envelope would use: base64 of a PNG, JSON-escaped markup, the page's words
        // (each long enough, or with a character outside base64, not to turn up by chance in the ciphertext).
        foreach (var plain in new[] { "iVBORw0KGgo", "\\u003Chtml", "<!DOCTYPE", "redesigned", "Sandbox Bank", "user_flaky" })
        {
            Assert.False(stored.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plain)) >= 0, $"the stored bundle shows '{plain}'");
        }

        // Decrypted for the operator: a real screenshot and the page, with the password scrubbed; the access is logged.
        using (var open = await api.SendAsync(HttpMethod.Get, $"/admin/v1/connections/{connectionId}/failure-bundles/{bundleId}", ApiClient.Admin()))
        {
            var content = await ApiClient.ExpectAsync(open, HttpStatusCode.OK);
            var png = Convert.FromBase64String(content.GetProperty("screenshot_png_base64").GetString()!);
            Assert.True(png.AsSpan().StartsWith(PngMagic), "the screenshot should be a PNG");
            var html = content.GetProperty("html").GetString()!;
            Assert.Contains("redesigned", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(canary, html, StringComparison.Ordinal);
            Assert.DoesNotContain(canary, content.GetRawText(), StringComparison.Ordinal);
        }

        Assert.Contains(logs.Lines, l => l.Contains("opened failure bundle", StringComparison.Ordinal) && l.Contains(bundleId, StringComparison.Ordinal));
        using (var unauthenticated = await api.SendAsync(HttpMethod.Get, $"/admin/v1/connections/{connectionId}/failure-bundles/{bundleId}", ApiClient.Basic(client)))
        {
            await ApiClient.ExpectProblemAsync(unauthenticated, HttpStatusCode.Unauthorized, "unauthorized");
        }

        // Retention, with a test clock over the same artifact store: kept at 4 days, gone at 5.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sweeper = new FailureBundleStore(
            host.Service<IKeyring>(),
            new LocalArtifactStore(Path.Combine(dataDir, "artifacts"), clock),
            clock,
            NullLogger<FailureBundleStore>.Instance);
        clock.Advance(TimeSpan.FromDays(4));
        Assert.Equal(0, await sweeper.SweepAsync());
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await sweeper.SweepAsync());
        Assert.Empty(Directory.GetFiles(Path.Combine(dataDir, "artifacts"), "*", SearchOption.AllDirectories));
        using var after = await api.SendAsync(HttpMethod.Get, "/admin/v1/failure-bundles", ApiClient.Admin());
        Assert.Empty((await ApiClient.ExpectAsync(after, HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
        Assert.DoesNotContain(canary, logs.All, StringComparison.Ordinal);

        // The session id opens the Connect page: logs name the session by a digest only.
        Assert.Contains(logs.Lines, l => l.Contains("verification finished", StringComparison.Ordinal));
        Assert.DoesNotContain(sessionId, logs.All, StringComparison.Ordinal);
    }

    private static Task<TestHost> StartWithProxiesAsync(Tinyproxy proxyA, Tinyproxy proxyB, params string[] extraArgs) =>
        TestHost.StartAsync(null, null, [$"--PayApi:Scraper:Proxies:0={proxyA.Address}", $"--PayApi:Scraper:Proxies:1={proxyB.Address}", .. extraArgs]);

    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // tinyproxy writes its log line a moment after relaying.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(condition());
    }
}
