using Microsoft.Extensions.Time.Testing;
using PayApi.Contracts;

namespace PayApi.Scraping.Tests;

public sealed class ProxyPoolTests
{
    private const string A = "http://10.0.0.1:3128";
    private const string B = "http://10.0.0.2:3128";
    private const string C = "http://10.0.0.3:3128";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Without_configured_proxies_connections_go_direct()
    {
        var pool = Pools.Proxy(_time);

        Assert.Null(pool.Choose(null));
        Assert.Null(pool.Choose(A));
        Assert.Empty(pool.Snapshot());
    }

    [Fact]
    public void New_connections_get_the_least_assigned_proxy_in_turn()
    {
        var pool = Pools.Proxy(_time, A, B, C);

        var chosen = Enumerable.Range(0, 4).Select(_ => pool.Choose(null)!.ToString()).ToList();

        Assert.Equal([A + "/", B + "/", C + "/", A + "/"], chosen);
        Assert.Equal([2, 1, 1], pool.Snapshot().Select(s => s.Assignments));
    }

    [Fact]
    public void The_least_assigned_proxy_wins_over_the_round_robin_turn()
    {
        var pool = Pools.Proxy(_time, A, B, C);
        pool.Choose(null); // A
        pool.Choose(null); // B
        pool.ReportFailure(new Uri(C));
        pool.Choose(null); // C resting: A (tie with B, A's turn after wrap)
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(new Uri(C), pool.Choose(null));
    }

    [Fact]
    public void A_connection_sticks_to_its_healthy_proxy()
    {
        var pool = Pools.Proxy(_time, A, B, C);
        var mine = pool.Choose(null)!;
        for (var i = 0; i < 5; i++)
        {
            pool.Choose(null);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(mine, pool.Choose(mine.ToString()));
        }

        Assert.Equal(new Uri(A), mine);
        Assert.Equal(2, pool.Snapshot().Single(s => s.Proxy == mine).Assignments);
    }

    [Fact]
    public void A_proxy_that_is_no_longer_configured_is_replaced()
    {
        var pool = Pools.Proxy(_time, A, B);

        Assert.Equal(new Uri(A), pool.Choose("http://10.9.9.9:3128"));
        Assert.Equal(new Uri(B), pool.Choose("not a url"));
    }

    [Fact]
    public void A_blocked_proxy_rests_and_comes_back_after_the_rest_period()
    {
        var pool = Pools.Proxy(_time, A, B);
        var a = pool.Choose(null)!;

        pool.ReportBlocked(a);
        var moved = pool.Choose(a.ToString());

        Assert.Equal(new Uri(B), moved);
        var state = pool.Snapshot().Single(s => s.Proxy == a);
        Assert.False(state.Healthy);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10), state.RestingUntil);
        Assert.Equal(1, state.Blocks);

        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(new Uri(B), pool.Choose(a.ToString()));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(a, pool.Choose(a.ToString()));
        Assert.True(pool.Snapshot().Single(s => s.Proxy == a).Healthy);
    }

    [Fact]
    public void An_excluded_proxy_is_left_for_another_healthy_one()
    {
        var pool = Pools.Proxy(_time, A, B);

        var chosen = pool.Choose(A, new HashSet<Uri> { new(A) });

        Assert.Equal(new Uri(B), chosen);
    }

    [Fact]
    public void When_every_proxy_rests_the_choice_fails_as_bot_blocked()
    {
        var pool = Pools.Proxy(_time, A, B);
        pool.ReportBlocked(new Uri(A));
        pool.ReportFailure(new Uri(B));

        var error = Assert.Throws<PayApiException>(() => pool.Choose(A));

        Assert.Equal(ErrorCodes.BotBlocked, error.Code);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(new Uri(A), pool.Choose(A));
    }

    [Fact]
    public void Reports_about_unknown_proxies_change_nothing()
    {
        var pool = Pools.Proxy(_time, A);

        pool.ReportBlocked(new Uri("http://10.9.9.9:1"));

        Assert.True(pool.Snapshot().Single().Healthy);
    }
}
