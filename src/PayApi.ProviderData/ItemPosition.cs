namespace PayApi.ProviderData;

/// <summary>Where an item sits in a newest-first list: its date, then its id as the tie-breaker.</summary>
public readonly record struct ItemPosition(DateTimeOffset Date, string Id)
{
    /// <summary>Negative when <paramref name="a"/> comes first in a newest-first list.</summary>
    public static int CompareNewestFirst(ItemPosition a, ItemPosition b)
    {
        var byDate = b.Date.UtcTicks.CompareTo(a.Date.UtcTicks);
        return byDate != 0 ? byDate : string.CompareOrdinal(b.Id, a.Id);
    }

    /// <summary>True when <paramref name="other"/> comes after this position in a newest-first list.</summary>
    public bool IsBefore(ItemPosition other) => CompareNewestFirst(this, other) < 0;
}
