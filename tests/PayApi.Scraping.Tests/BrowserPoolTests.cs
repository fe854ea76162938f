using Microsoft.Playwright;
using PayApi.Testing;

namespace PayApi.Scraping.Tests;

public sealed class BrowserPoolTests : IAsyncLifetime
{
    private TestSite _site = null!;

    public async Task InitializeAsync() => _site = await TestSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task Cookies_go_into_the_job_and_come_back_out_with_the_sites_new_ones()
    {
        await using var pool = Pools.Browser();
        var sid = new StoredCookie("sid", "sess-4711", "127.0.0.1", "/", StoredCookie.SessionExpiry, true, false, CookieSameSite.Lax);

        var (body, cookies) = await pool.RunAsync(new BrowserJob(null, [sid]), async (context, _) =>
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(_site.Url("/echo").ToString());
            return (await page.InnerTextAsync("body"), await BrowserPool.ExportCookiesAsync(context));
        }, CancellationToken.None);

        Assert.Contains("sid=sess-4711", body, StringComparison.Ordinal);
        var back = Assert.Single(cookies, c => c.Name == "sid");
        Assert.Equal("sess-4711", back.Value);
        Assert.True(back.IsSession);
        Assert.True(back.HttpOnly);
        var fresh = Assert.Single(cookies, c => c.Name == "fresh");
        Assert.Equal("from-site", fresh.Value);
        Assert.Equal("127.0.0.1", fresh.Domain);
    }

    [Fact]
    public async Task A_job_with_a_proxy_reaches_the_loopback_site_through_it_and_one_without_goes_direct()
    {
        await using var proxy = await Tinyproxy.StartAsync("tp-browser");
        await using var pool = Pools.Browser();

        var proxied = await pool.RunAsync(new BrowserJob(proxy.Address, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);
        var requestsThroughProxy = await proxy.SettledRequestCountAsync();
        var direct = await pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);

        Assert.Contains("via=1.1 tp-browser", proxied, StringComparison.Ordinal);
        Assert.True(requestsThroughProxy >= 1, "tinyproxy logged no request for the proxied job");
        Assert.Contains("via=none", direct, StringComparison.Ordinal);
        Assert.Equal(requestsThroughProxy, await proxy.SettledRequestCountAsync());
        Assert.Equal(1, pool.BrowserLaunches);
    }

    [Fact]
    public async Task Two_jobs_with_different_proxies_each_use_their_own()
    {
        await using var first = await Tinyproxy.StartAsync("tp-first");
        await using var second = await Tinyproxy.StartAsync("tp-second");
        await using var pool = Pools.Browser();

        var results = await Task.WhenAll(
            pool.RunAsync(new BrowserJob(first.Address, []), (context, _) => ReadEchoAsync(context), CancellationToken.None),
            pool.RunAsync(new BrowserJob(second.Address, []), (context, _) => ReadEchoAsync(context), CancellationToken.None));

        Assert.Contains("tp-first", results[0], StringComparison.Ordinal);
        Assert.Contains("tp-second", results[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_more_than_MaxConcurrentJobs_run_at_once()
    {
        await using var pool = Pools.Browser(o => o.MaxConcurrentJobs = 2);
        var running = 0;
        var maxRunning = 0;
        var maxReported = 0;

        var jobs = Enumerable.Range(0, 6).Select(_ => pool.RunAsync(new BrowserJob(null, []), async (context, _) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            InterlockedMax(ref maxReported, pool.ActiveJobs);
            var page = await context.NewPageAsync();
            await page.GotoAsync(_site.Url("/slow").ToString());
            InterlockedMax(ref maxReported, pool.ActiveJobs);
            Interlocked.Decrement(ref running);
            return true;
        }, CancellationToken.None));
        await Task.WhenAll(jobs);

        Assert.Equal(2, maxRunning);
        Assert.InRange(maxReported, 1, 2);
        Assert.Equal(6, pool.JobsRun);
        Assert.Equal(0, pool.ActiveJobs);
        Assert.Equal(1, pool.BrowserLaunches);
    }

    [Fact]
    public async Task The_browser_is_recycled_after_RecycleAfterJobs_jobs()
    {
        await using var pool = Pools.Browser(o => o.RecycleAfterJobs = 3);

        for (var i = 0; i < 3; i++)
        {
            await pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);
        }

        Assert.Equal(1, pool.BrowserLaunches);
        await pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);
        Assert.Equal(2, pool.BrowserLaunches);
        Assert.Equal(4, pool.JobsRun);
    }

    [Fact]
    public async Task A_killed_browser_is_relaunched_for_the_next_job()
    {
        await using var pool = Pools.Browser();
        await pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);
        Assert.Equal(1, pool.BrowserLaunches);

        Assert.Equal(1, ChromiumProcesses.KillOurBrowsers());
        var body = await pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);

        Assert.Contains("via=none", body, StringComparison.Ordinal);
        Assert.Equal(2, pool.BrowserLaunches);
    }

    [Fact]
    public async Task A_browser_closed_during_a_job_is_relaunched_for_the_next_job()
    {
        await using var pool = Pools.Browser();
        await pool.RunAsync(new BrowserJob(null, []), async (context, _) =>
        {
            await context.Browser!.CloseAsync();
            return true;
        }, CancellationToken.None);

        var body = await pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);

        Assert.Contains("via=none", body, StringComparison.Ordinal);
        Assert.Equal(2, pool.BrowserLaunches);
    }

    [Fact]
    public async Task A_job_over_the_timeout_is_stopped_and_the_pool_keeps_working()
    {
        await using var pool = Pools.Browser(o => o.JobTimeout = TimeSpan.FromSeconds(5));
        var started = DateTime.UtcNow;

        await Assert.ThrowsAsync<TimeoutException>(() => pool.RunAsync(new BrowserJob(null, []), async (context, _) =>
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(_site.Url("/hang").ToString(), new PageGotoOptions { Timeout = 0 });
            return true;
        }, CancellationToken.None));

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(30));
        Assert.Equal(0, pool.ActiveJobs);
        var body = await pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);
        Assert.Contains("via=none", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_closes_the_browser_and_refuses_new_jobs()
    {
        var pool = Pools.Browser();
        await pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None);
        await pool.DisposeAsync();

        Assert.Equal(0, ChromiumProcesses.KillOurBrowsers());
        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            pool.RunAsync(new BrowserJob(null, []), (context, _) => ReadEchoAsync(context), CancellationToken.None));
    }

    private async Task<string> ReadEchoAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(_site.Url("/echo").ToString());
        return await page.InnerTextAsync("body");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
