using PayApi.Contracts;

namespace PayApi.Grains.Usage;

/// <summary>
/// How many of a client's connections were live (connected and not yet disconnected) on any day of a month: the
/// billing unit of <c>active_connections</c>. Counts, not ids, so the record stays a few numbers a month however many
/// connections a client has. For each month in which a connection was added or removed it keeps the number live when
/// the month began and the number added during it; a month without changes had, all month long, the number live when
/// the next change came (or, with none since, the number live now).
/// </summary>
[GenerateSerializer]
[Alias("PayApi.MonthlyConnectionCounts")]
public sealed class MonthlyConnectionCounts
{
    /// <summary>Months of history kept: two years and the current month, enough for any invoice dispute.</summary>
    public const int MonthsKept = 25;

    [Id(0)] public SortedDictionary<int, MonthCount> Months { get; set; } = [];

    /// <summary>Records that a connection was added at <paramref name="at"/>, when <paramref name="liveBefore"/> were live.</summary>
    public void Added(DateTimeOffset at, int liveBefore)
    {
        var entry = EntryFor(UsageMonth.Of(at), liveBefore);
        entry.Added++;
    }

    /// <summary>Records that a connection was removed at <paramref name="at"/>, when <paramref name="liveBefore"/> were live.</summary>
    public void Removed(DateTimeOffset at, int liveBefore) => EntryFor(UsageMonth.Of(at), liveBefore);

    /// <summary>Connections live on any day of <paramref name="month"/>; <paramref name="liveNow"/> is the number live now.</summary>
    public int ActiveIn(UsageMonth month, UsageMonth now, int liveNow)
    {
        if (month > now)
        {
            return 0;
        }

        if (Months.TryGetValue(month.Index, out var entry))
        {
            return entry.LiveAtStart + entry.Added;
        }

        foreach (var (index, later) in Months)
        {
            if (index > month.Index)
            {
                return later.LiveAtStart;
            }
        }

        return liveNow;
    }

    private MonthCount EntryFor(UsageMonth month, int liveBefore)
    {
        if (!Months.TryGetValue(month.Index, out var entry))
        {
            // The first change of the month: nothing changed since it began, so what is live now was live then.
            entry = new MonthCount { LiveAtStart = liveBefore };
            Months[month.Index] = entry;
            while (Months.Count > MonthsKept)
            {
                Months.Remove(Months.Keys.First());
            }
        }

        return entry;
    }
}

/// <summary>One month's counts in <see cref="MonthlyConnectionCounts"/>.</summary>
[GenerateSerializer]
[Alias("PayApi.MonthCount")]
public sealed class MonthCount
{
    [Id(0)] public int LiveAtStart { get; set; }
    [Id(1)] public int Added { get; set; }
}
