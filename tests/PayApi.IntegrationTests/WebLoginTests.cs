using System.Net;
using System.Text;
using System.Text.Json;
using Orleans;
using Orleans.Runtime;
using PayApi.Sandbox;
using PayApi.Scraping;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>Web-login providers end to end: the sandbox bank driven by Debian's Chromium through the scraper pool.</summary>
public sealed class WebLoginTests
{
    public static TheoryData<string, string, string> FailingUsers => new()
    {
        { "user_locked", "pass_good", "account_locked" },
        { "user_expired", "pass_good", "password_change_required" },
        { "user_good", "wrong-password", "invalid_credentials" },
        { "nobody", "pass_good", "invalid_credentials" },
        { "user_flaky", "pass_good", "unexpected_provider_response" },
    };

    [Theory]
    [MemberData(nameof(FailingUsers))]
    public async Task Each_failing_sandbox_user_gets_its_typed_code(string username, string password, string code)
    {
        await using var host = await TestHost.StartAsync();
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "u1" })).GetProperty("session_id").GetString()!;
        await api.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username, password });
        var state = await api.WaitForSessionAsync(client, sessionId);
        Assert.Equal(code, state.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(code == "account_locked" ? "failed" : "pending", state.GetProperty("status").GetString());
        Assert.DoesNotContain(password, state.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mfa_with_a_wrong_code_first_then_the_right_one_connects_and_reads_every_page()
    {
        await using var host = await TestHost.StartAsync();
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "u1" })).GetProperty("session_id").GetString()!;
        await api.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username = "user_mfa", password = "pass_good" });
        Assert.Equal("awaiting_mfa", (await api.WaitForSessionAsync(client, sessionId)).GetProperty("status").GetString());

        await api.SubmitMfaAsync(sessionId, "000000");
        var wrong = await api.WaitForSessionAsync(client, sessionId);
        Assert.Equal("awaiting_mfa", wrong.GetProperty("status").GetString());
        Assert.Equal("invalid_mfa_code", wrong.GetProperty("error").GetProperty("code").GetString());

        await api.SubmitMfaAsync(sessionId, "123456");
        var done = await api.WaitForSessionAsync(client, sessionId);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var (_, token) = await api.ExchangeAsync(client, done.GetProperty("code").GetString()!);

        using var response = await api.SendAsync(HttpMethod.Get, "/v1/transactions?limit=500", ApiClient.Bearer(token));
        var page = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        var ids = page.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()).ToList();
        Assert.True(ids.Count >= 60, $"expected every page of transactions, got {ids.Count}");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains(page.GetProperty("data").EnumerateArray(), t => t.GetProperty("amount").GetInt64() < 0);
    }

    [Fact]
    public async Task After_a_restart_a_refresh_logs_in_again_alone_and_a_live_session_needs_no_browser()
    {
        // The sandbox bank accepts this canary as its users' password, so a real, stored password is traced.
        var canary = "CANARYpw" + Guid.NewGuid().ToString("N");
        var bankPassword = $"--PayApi:Sandbox:BankPassword={canary}";
        var dataDir = TestHost.NewDataDir();
        var logs = new CapturedLogs();
        string token, connectionId;
        string firstTransactions;
        await using (var host = await TestHost.StartAsync(dataDir, logs, bankPassword))
        {
            var api = new ApiClient(host.Http);
            var client = await api.CreateClientAsync();
            // user_mfa: the re-login below must pass MFA through the remembered-device cookie alone.
            (connectionId, token) = await api.ConnectBankAsync(client, "user_mfa", canary);
            firstTransactions = await TransactionsAsync(api, token);

            // A keep-alive while the bank session works: plain HTTP, no browser job, no login.
            var pool = host.Service<BrowserPool>();
            var sandbox = host.Service<SandboxServer>();
            var jobsBefore = pool.JobsRun;
            var loginsBefore = sandbox.BankLoginAttempts;
            await FireRefreshReminderAsync(host, connectionId);
            Assert.Equal(jobsBefore, pool.JobsRun);
            Assert.Equal(loginsBefore, sandbox.BankLoginAttempts);
            await AssertStatusAsync(api, token, "connected");
        }

        await using (var host = await TestHost.StartAsync(dataDir, logs, bankPassword))
        {
            // A new sandbox instance: every bank session is forgotten, the device cookie still counts.
            var api = new ApiClient(host.Http);
            var sandbox = host.Service<SandboxServer>();
            await FireRefreshReminderAsync(host, connectionId);
            Assert.Equal(1, sandbox.BankLoginAttempts);
            await AssertStatusAsync(api, token, "connected");

            await api.RefreshAndWaitAsync(token);

            Assert.Equal(1, sandbox.BankLoginAttempts);
            Assert.Equal(firstTransactions, await TransactionsAsync(api, token));
        }

        var files = Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("payapi.db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary)) >= 0, file);
            Assert.False(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(canary)) >= 0, file);
        }

        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(canary, logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_changed_at_the_bank_needs_the_end_user_and_is_not_retried_until_repaired()
    {
        var dataDir = TestHost.NewDataDir();
        (string Id, string Secret) client;
        string token, connectionId;
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            client = await api.CreateClientAsync();
            (connectionId, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");
            await TransactionsAsync(api, token); // the cache is filled
        }

        // The end-user changed the password at the bank; the new sandbox has forgotten every session too.
        const string newPassword = "pass_changed_at_the_bank";
        await using (var host = await TestHost.StartAsync(dataDir, null, $"--PayApi:Sandbox:BankPassword={newPassword}"))
        {
            var api = new ApiClient(host.Http);
            var sandbox = host.Service<SandboxServer>();
            await FireRefreshReminderAsync(host, connectionId);
            Assert.Equal(1, sandbox.BankLoginAttempts);
            var connection = await ConnectionAsync(api, token);
            Assert.Equal("login_required", connection.GetProperty("status").GetString());
            Assert.Equal("invalid_credentials", connection.GetProperty("error").GetProperty("code").GetString());

            // Nothing retries the stored password: not the timer, not the developer's refresh.
            await FireRefreshReminderAsync(host, connectionId);
            using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                var problem = await ApiClient.ExpectProblemAsync(refresh, HttpStatusCode.Conflict, "login_required");
                Assert.Equal("user", problem.GetProperty("actor").GetString());
                Assert.Contains("connection_id", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            Assert.Equal(1, sandbox.BankLoginAttempts);

            // The cache from before still answers while it is fresh.
            using (var balance = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
            {
                Assert.True((await ApiClient.ExpectAsync(balance, HttpStatusCode.OK)).GetProperty("cached").GetBoolean());
            }

            // A repair session with the new password brings the same connection and token back.
            var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "user-1", connection_id = connectionId })).GetProperty("session_id").GetString()!;
            await api.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username = "user_good", password = newPassword });
            var session = await api.WaitForSessionAsync(client, sessionId);
            Assert.Equal("succeeded", session.GetProperty("status").GetString());
            var (repairedId, _) = await api.ExchangeAsync(client, session.GetProperty("code").GetString()!);
            Assert.Equal(connectionId, repairedId);
            Assert.Equal("connected", (await api.RefreshAndWaitAsync(token)).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task A_browser_that_will_not_start_is_a_retryable_dependency_failure_not_a_500()
    {
        var dataDir = TestHost.NewDataDir();
        (string Id, string Secret) client;
        string token;
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            client = await api.CreateClientAsync();
            (_, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");
        }

        // After a restart the bank session is gone, so the refresh needs a browser, and this one cannot start.
        var logs = new CapturedLogs();
        await using (var host = await TestHost.StartAsync(dataDir, logs, "--PayApi:Scraper:ChromiumPath=/bin/false"))
        {
            var api = new ApiClient(host.Http);
            // The refresh is accepted at once; its failure shows on the connection, and the next refresh is told to wait.
            var connection = await api.RefreshAndWaitAsync(token);
            Assert.Equal("dependency_unavailable", connection.GetProperty("error").GetProperty("code").GetString());
            using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                var problem = await ApiClient.ExpectProblemAsync(refresh, HttpStatusCode.ServiceUnavailable, "dependency_unavailable");
                Assert.True(problem.GetProperty("retryable").GetBoolean());
            }

            var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "u2" })).GetProperty("session_id").GetString()!;
            await api.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username = "user_good", password = "pass_good" });
            var state = await api.WaitForSessionAsync(client, sessionId);
            Assert.Equal("dependency_unavailable", state.GetProperty("error").GetProperty("code").GetString());
            Assert.DoesNotContain(logs.Lines, l => l.Contains("-> 500", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_refresh_reminder_is_durable_and_fires_below_the_bank_idle_timeout()
    {
        // The bank forgets an idle session after 4 minutes here: keep-alives every 2, and a 6-hour timer for API keys.
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:Sandbox:BankSessionIdleTimeout=00:04:00"]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (bankId, bankToken) = await api.ConnectBankAsync(client, "user_good", "pass_good");
        var (stripeId, _) = await api.ConnectAsync(client, "rk_test_reminder01");

        var bank = await RefreshReminderAsync(host, bankId);
        Assert.NotNull(bank);
        Assert.Equal(TimeSpan.FromMinutes(2), bank.Period);
        var stripe = await RefreshReminderAsync(host, stripeId);
        Assert.NotNull(stripe);
        Assert.Equal(TimeSpan.FromHours(6), stripe.Period);

        var connection = await ConnectionAsync(api, bankToken);
        Assert.Equal(
            TimeSpan.FromMinutes(2),
            connection.GetProperty("next_refresh_at").GetDateTimeOffset() - connection.GetProperty("last_refreshed_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_read_of_a_fresh_cache_never_waits_for_the_browser_even_in_a_new_activation()
    {
        var dataDir = TestHost.NewDataDir();
        string token, fetchedBefore;
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            var client = await api.CreateClientAsync();
            (_, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");
            using var balance = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
            fetchedBefore = (await ApiClient.ExpectAsync(balance, HttpStatusCode.OK)).GetProperty("fetched_at").GetString()!;
        }

        // A new host: the grain wakes for a refresh that must log in again in the browser (the bank forgot the session).
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                await ApiClient.ExpectAsync(refresh, HttpStatusCode.Accepted); // at once; the login runs on in the grain
            }

            Assert.Equal("refreshing", (await ConnectionAsync(api, token)).GetProperty("status").GetString());

            // The refresh holds the connection; the stored cache is fresh, so the read is answered from it at once:
            // the data fetched before the restart, while the refresh is still running.
            using (var balance = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
            {
                var body = await ApiClient.ExpectAsync(balance, HttpStatusCode.OK);
                Assert.Equal(fetchedBefore, body.GetProperty("fetched_at").GetString());
                Assert.True(body.GetProperty("cached").GetBoolean());
            }

            Assert.Equal("refreshing", (await ConnectionAsync(api, token)).GetProperty("status").GetString());
            Assert.Equal("connected", (await api.WaitRefreshedAsync(token)).GetProperty("status").GetString());
            Assert.Equal(1, host.Service<SandboxServer>().BankLoginAttempts);
        }
    }

    [Fact]
    public async Task Concurrent_refreshes_share_one_login_and_one_fetch_and_the_next_is_told_when_to_come_back()
    {
        var dataDir = TestHost.NewDataDir();
        string token;
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            var client = await api.CreateClientAsync();
            (_, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");
        }

        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            var sandbox = host.Service<SandboxServer>();
            var pool = host.Service<BrowserPool>();
            var jobs = pool.JobsRun;
            var before = await ConnectionAsync(api, token);
            var refreshes = Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
            {
                using var response = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token));
                await ApiClient.ExpectAsync(response, HttpStatusCode.Accepted);
            }));

            // All six are accepted at once; while the browser logs in again, the connection says so.
            await refreshes;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string status;
            do
            {
                status = (await ConnectionAsync(api, token)).GetProperty("status").GetString()!;
                seen.Add(status);
                await Task.Delay(20);
            }
            while (status == "refreshing");

            Assert.Equal(1, sandbox.BankLoginAttempts);
            Assert.Equal(jobs + 2, pool.JobsRun); // one login, one fetch: the other five joined them
            Assert.Contains("refreshing", seen);
            var after = await ConnectionAsync(api, token);
            Assert.Equal("connected", after.GetProperty("status").GetString());
            Assert.True(
                after.GetProperty("last_refreshed_at").GetDateTimeOffset() > before.GetProperty("last_refreshed_at").GetDateTimeOffset(),
                "the refresh should move last_refreshed_at");

            using (var again = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                await ApiClient.ExpectProblemAsync(again, HttpStatusCode.TooManyRequests, "rate_limited");
                Assert.NotNull(again.Headers.RetryAfter?.Delta);
            }

            Assert.Equal(jobs + 2, pool.JobsRun);
        }
    }

    [Fact]
    public async Task During_an_outage_reads_and_refreshes_do_not_hammer_the_bank()
    {
        await using var host = await TestHost.StartAsync(extraArgs:
        [
            "--PayApi:Sandbox:BankCacheTtl=00:00:01",
            "--PayApi:Grains:ProviderRetryDelay=00:00:15", // long enough for two calls on a loaded machine
        ]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (_, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");
        await TransactionsAsync(api, token);
        await Task.Delay(TimeSpan.FromSeconds(2)); // the cache (1 s) is stale now

        var sandbox = host.Service<SandboxServer>();
        var pool = host.Service<BrowserPool>();
        sandbox.BankOutage = true;
        using (var first = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectProblemAsync(first, HttpStatusCode.ServiceUnavailable, "provider_unavailable");
            Assert.Equal(TimeSpan.FromSeconds(15), first.Headers.RetryAfter?.Delta); // the whole retry delay
        }

        // Within the retry delay: answered at once, no browser job, whether a read or a refresh.
        var jobs = pool.JobsRun;
        using (var again = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            var problem = await ApiClient.ExpectProblemAsync(again, HttpStatusCode.ServiceUnavailable, "provider_unavailable");
            Assert.Contains("Not retried", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.InRange(again.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
        }

        using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectProblemAsync(refresh, HttpStatusCode.ServiceUnavailable, "provider_unavailable");
            Assert.NotNull(refresh.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(jobs, pool.JobsRun);

        // The bank is back; after the delay the next read fetches again. The rest is measured on the wall clock
        // and the delay on the monotonic one, so allow a margin for the two to disagree by a few milliseconds.
        sandbox.BankOutage = false;
        await Task.Delay(TimeSpan.FromSeconds(15) + TimeSpan.FromSeconds(1));
        using (var recovered = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            Assert.False((await ApiClient.ExpectAsync(recovered, HttpStatusCode.OK)).GetProperty("cached").GetBoolean());
        }

        Assert.True(pool.JobsRun > jobs);
    }

    [Fact]
    public async Task A_bank_outage_at_refresh_time_shows_provider_unavailable_until_it_recovers()
    {
        await using var host = await TestHost.StartAsync(extraArgs: ["--PayApi:Sandbox:BankSessionIdleTimeout=00:00:01"]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (connectionId, token) = await api.ConnectBankAsync(client, "user_good", "pass_good");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        // The session has idled out and the bank is down: the keep-alive cannot even ask.
        host.Service<SandboxServer>().BankOutage = true;
        await FireRefreshReminderAsync(host, connectionId);
        await AssertStatusAsync(api, token, "provider_unavailable");
        host.Service<SandboxServer>().BankOutage = false;
        await FireRefreshReminderAsync(host, connectionId);
        await AssertStatusAsync(api, token, "connected");
    }

    internal static async Task FireRefreshReminderAsync(TestHost host, string connectionId)
    {
        // What the reminder service does when the durable refresh reminder is due, with its registered period.
        var reminder = await RefreshReminderAsync(host, connectionId);
        Assert.NotNull(reminder);
        var grain = host.Service<IGrainFactory>().GetGrain<PayApi.Contracts.IConnectionGrain>(connectionId);
        await grain.AsReference<IRemindable>().ReceiveReminder("refresh", new TickStatus(reminder.StartAt, reminder.Period, DateTime.UtcNow));
    }

    internal static async Task<ReminderEntry?> RefreshReminderAsync(TestHost host, string connectionId)
    {
        var grain = host.Service<IGrainFactory>().GetGrain<PayApi.Contracts.IConnectionGrain>(connectionId);
        return await host.Service<IReminderTable>().ReadRow(grain.GetGrainId(), "refresh");
    }

    internal static async Task AssertStatusAsync(ApiClient api, string token, string status)
    {
        var connection = await ConnectionAsync(api, token);
        Assert.True(connection.GetProperty("status").GetString() == status, connection.GetRawText());
    }

    private static async Task<JsonElement> ConnectionAsync(ApiClient api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(token));
        return await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }

    private static async Task<string> TransactionsAsync(ApiClient api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/transactions?limit=500", ApiClient.Bearer(token));
        var page = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        return page.GetProperty("data").GetRawText();
    }
}
