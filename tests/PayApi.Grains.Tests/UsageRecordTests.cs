using PayApi.Contracts;
using PayApi.Grains.Usage;
using Xunit;

namespace PayApi.Grains.Tests;

/// <summary>The usage records without a silo: monthly connection counts and the de-duplicating call ledger.</summary>
public sealed class UsageRecordTests
{
    private static DateTimeOffset At(int year, int month, int day) => new(year, month, day, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_connection_counts_in_every_month_it_was_live_on_any_day()
    {
        var counts = new MonthlyConnectionCounts();
        var now = new UsageMonth(2026, 6);

        counts.Added(At(2026, 1, 10), liveBefore: 0);   // a: January to March
        counts.Added(At(2026, 1, 20), liveBefore: 1);   // b: from January on
        counts.Removed(At(2026, 3, 5), liveBefore: 2);  // a leaves in March
        counts.Added(At(2026, 5, 31), liveBefore: 1);   // c: the last day of May
        counts.Removed(At(2026, 5, 31), liveBefore: 2); // ...and gone the same day

        Assert.Equal(0, counts.ActiveIn(new UsageMonth(2025, 12), now, liveNow: 1));
        Assert.Equal(2, counts.ActiveIn(new UsageMonth(2026, 1), now, liveNow: 1));
        Assert.Equal(2, counts.ActiveIn(new UsageMonth(2026, 2), now, liveNow: 1)); // no change: as when March began
        Assert.Equal(2, counts.ActiveIn(new UsageMonth(2026, 3), now, liveNow: 1)); // a was live on March's first days
        Assert.Equal(1, counts.ActiveIn(new UsageMonth(2026, 4), now, liveNow: 1));
        Assert.Equal(2, counts.ActiveIn(new UsageMonth(2026, 5), now, liveNow: 1)); // one day is enough
        Assert.Equal(1, counts.ActiveIn(new UsageMonth(2026, 6), now, liveNow: 1)); // no change since: what is live now
        Assert.Equal(0, counts.ActiveIn(new UsageMonth(2026, 7), now, liveNow: 1)); // the future has no usage yet
    }

    [Fact]
    public void Counts_stay_a_few_numbers_a_month_and_keep_two_years()
    {
        var counts = new MonthlyConnectionCounts();
        for (var i = 0; i < 40; i++)
        {
            var when = At(2023, 1, 1).AddMonths(i);
            counts.Added(when, liveBefore: i);
        }

        Assert.Equal(MonthlyConnectionCounts.MonthsKept, counts.Months.Count);
        Assert.Equal(40, counts.ActiveIn(new UsageMonth(2026, 4), new UsageMonth(2026, 4), liveNow: 40));
    }

    [Fact]
    public void The_ledger_applies_each_flush_once_and_in_order()
    {
        var ledger = new CallLedger();
        var now = DateTimeOffset.UtcNow;
        Assert.True(ledger.Apply(new UsageFlush("mtr_a", 1, new Dictionary<string, long> { ["GET /v1/balance"] = 3 }), now));
        Assert.True(ledger.Apply(new UsageFlush("mtr_b", 1, new Dictionary<string, long> { ["GET /v1/balance"] = 2, ["GET /v1/payouts"] = 1 }), now));
        Assert.False(ledger.Apply(new UsageFlush("mtr_a", 1, new Dictionary<string, long> { ["GET /v1/balance"] = 3 }), now)); // a retried flush
        Assert.True(ledger.Apply(new UsageFlush("mtr_a", 2, new Dictionary<string, long> { ["GET /v1/balance"] = 1, ["GET /v1/odd"] = 0 }), now));

        var snapshot = ledger.Snapshot();
        Assert.Equal(7, snapshot.Total);
        Assert.Equal(new Dictionary<string, long> { ["GET /v1/balance"] = 6, ["GET /v1/payouts"] = 1 }, snapshot.ByEndpoint);
    }

    [Fact]
    public void The_ledger_forgets_the_oldest_meters_first()
    {
        var ledger = new CallLedger();
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i <= CallLedger.MetersKept; i++)
        {
            ledger.Apply(new UsageFlush($"mtr_{i}", 1, new Dictionary<string, long> { ["GET /v1/balance"] = 1 }), start.AddSeconds(i));
        }

        Assert.Equal(CallLedger.MetersKept, ledger.Applied.Count);
        Assert.DoesNotContain("mtr_0", ledger.Applied.Keys);
        Assert.Contains($"mtr_{CallLedger.MetersKept}", ledger.Applied.Keys);
    }

    [Theory]
    [InlineData("2026-11", true)]
    [InlineData("2000-01", true)]
    [InlineData("1999-12", false)]
    [InlineData("2026-00", false)]
    [InlineData("2026-13", false)]
    [InlineData("2026-1", false)]
    [InlineData("2026/11", false)]
    [InlineData("+026-11", false)]
    [InlineData("", false)]
    public void Months_parse_only_as_yyyy_mm(string text, bool valid)
    {
        Assert.Equal(valid, UsageMonth.TryParse(text, out var month));
        if (valid)
        {
            Assert.Equal(text, month.ToString());
        }
    }
}
