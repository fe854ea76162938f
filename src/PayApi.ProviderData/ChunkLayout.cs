namespace PayApi.ProviderData;

/// <summary>
/// Cuts a newest-first list into part chunks, counted from the oldest item, so new items only ever change the
/// newest part and the parts below it keep their content (and are not written again). A part closes at the first
/// month boundary after <see cref="ProviderDataOptions.ChunkItems"/> items, or at twice that many in a busy month.
/// </summary>
internal static class ChunkLayout
{
    /// <summary>The parts, newest first; part <c>i</c> of <c>n</c> has ordinal <c>n - 1 - i</c> (the oldest is 0).</summary>
    public static List<List<T>> Split<T>(ListKind<T> kind, IReadOnlyList<T> newestFirst, int chunkItems)
        where T : class
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkItems, 1);
        var parts = new List<List<T>>();
        var current = new List<T>();
        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            var item = newestFirst[i];
            if (current.Count > 0 && (current.Count >= 2 * chunkItems
                || (current.Count >= chunkItems && MonthOf(kind.DateOf(current[^1])) != MonthOf(kind.DateOf(item)))))
            {
                parts.Add(current);
                current = [];
            }

            current.Add(item);
        }

        if (current.Count > 0)
        {
            parts.Add(current);
        }

        // Built oldest first; each part's items too. Readers want both newest first.
        foreach (var part in parts)
        {
            part.Reverse();
        }

        parts.Reverse();
        return parts;
    }

    private static int MonthOf(DateTimeOffset date)
    {
        var utc = date.UtcDateTime;
        return utc.Year * 12 + utc.Month;
    }
}
