using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>How many of the transactions a refresh read are new or changed against what the cache held.</summary>
public static class TransactionChanges
{
    /// <summary>
    /// Counts the fresh items that the cache does not hold, or holds with other values. <paramref name="cachedFrom"/>:
    /// the oldest date the cached sample covers (null: the sample is the whole cache); fresh items older than it are
    /// not judged, since the sample cannot say whether they are new.
    /// </summary>
    public static int Count(IEnumerable<TransactionItem> fresh, IReadOnlyCollection<TransactionItem> cached, DateTimeOffset? cachedFrom)
    {
        var byId = new Dictionary<string, TransactionItem>(StringComparer.Ordinal);
        foreach (var item in cached)
        {
            byId[item.Id] = item;
        }

        return fresh.Count(f => (cachedFrom is null || f.Date >= cachedFrom) && (!byId.TryGetValue(f.Id, out var was) || was != f));
    }
}
