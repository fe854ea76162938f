namespace PayApi.ProviderData;

/// <summary>
/// Cuts a newest-first list into part chunks, counted from the oldest item, so new items only ever change the
/// newest part and the parts below it keep their content (and are not written again). A part closes at the first
/// month boundary after <see cref="ProviderDataOptions.ChunkItems"/> items, at twice that many in a busy month, or
/// before it would pass <see cref="ProviderDataOptions.ChunkBytes"/>.
/// </summary>
internal static class ChunkLayout
{
    /// <summary>
    /// The parts, newest first, each newest first. Counted from the oldest item by default, so the newest part holds the
    /// remainder and absorbs the next new items; <paramref name="fromNewest"/> counts from the newest instead, for a run
    /// that grows at its old end (a backfill), so the oldest part holds the remainder and absorbs the next older items.
    /// </summary>
    public static List<List<T>> Split<T>(ListKind<T> kind, IReadOnlyList<T> newestFirst, int chunkItems, int chunkBytes = int.MaxValue, bool fromNewest = false)
        where T : class
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkItems, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        var parts = new List<List<T>>();
        var current = new List<T>();
        var bytes = 0L;
        for (var n = 0; n < newestFirst.Count; n++)
        {
            var item = newestFirst[fromNewest ? n : newestFirst.Count - 1 - n];
            var size = kind.EstimatedBytes(item);
            if (current.Count > 0 && (current.Count >= 2 * chunkItems || bytes + size > chunkBytes
                || (current.Count >= chunkItems && MonthOf(kind.DateOf(current[^1])) != MonthOf(kind.DateOf(item)))))
            {
                parts.Add(current);
                current = [];
                bytes = 0;
            }

            current.Add(item);
            bytes += size;
        }

        if (current.Count > 0)
        {
            parts.Add(current);
        }

        if (!fromNewest)
        {
            // Built oldest first; each part's items too. Readers want both newest first.
            foreach (var part in parts)
            {
                part.Reverse();
            }

            parts.Reverse();
        }

        return parts;
    }

    private static int MonthOf(DateTimeOffset date)
    {
        var utc = date.UtcDateTime;
        return utc.Year * 12 + utc.Month;
    }
}
