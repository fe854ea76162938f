using PayApi.Contracts;

namespace PayApi.ProviderData.Tests;

/// <summary>Deterministic provider histories of any length, newest first as a provider lists them, with some equal dates.</summary>
internal static class History
{
    public static readonly DateTimeOffset Newest = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static List<TransactionItem> Transactions(int count, int seed = 1, string idPrefix = "txn_")
    {
        var random = new Random(seed);
        var items = new List<TransactionItem>(count);
        var date = Newest;
        for (var i = 0; i < count; i++)
        {
            // Every seventh item shares its date with the one before: ids then decide the order.
            if (i % 7 != 0)
            {
                date -= TimeSpan.FromMinutes(random.Next(5, 6 * 60));
            }

            items.Add(new TransactionItem($"{idPrefix}{i:D6}", date, random.Next(-50_000, 90_000), i % 5 == 0 ? "eur" : "usd", $"Order #{i}", i % 11 == 0 ? "pending" : "posted"));
        }

        return items;
    }

    public static List<PayoutItem> Payouts(int count)
    {
        var items = new List<PayoutItem>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(new PayoutItem($"po_{i:D5}", Newest - TimeSpan.FromDays(7 * i), 10_000 + i, "usd", "paid"));
        }

        return items;
    }

    public static ProviderSnapshot Snapshot(int transactions, int payouts = 20, DateTimeOffset? fetchedAt = null) => new(
        fetchedAt ?? Newest,
        [new BalanceAmount("usd", 123_45, 6_78)],
        Transactions(transactions),
        Payouts(payouts));

    /// <summary>What a list query must answer, computed the plain way over the whole list (not with the code under test's order).</summary>
    public static List<T> Expected<T>(ListKind<T> kind, IEnumerable<T> items, DateTimeOffset? from = null, DateTimeOffset? to = null)
        where T : class =>
        items.OrderByDescending(i => kind.DateOf(i).UtcTicks).ThenByDescending(kind.IdOf, StringComparer.Ordinal)
            .Where(i => (from is null || kind.DateOf(i) >= from) && (to is null || kind.DateOf(i) <= to)).ToList();

    /// <summary>Every transaction of a generation, paged through 500 at a time as a developer would.</summary>
    public static async Task<List<TransactionItem>> ReadAllAsync(ConnectionDataStore data, PayApi.Vault.DataKey key, long generation)
    {
        var all = new List<TransactionItem>();
        string? cursor = null;
        do
        {
            var (page, next) = await data.ReadPageAsync(key, generation, ListKind<TransactionItem>.Transactions, new ListQuery(500, cursor, null, null), default);
            all.AddRange(page);
            cursor = next;
        }
        while (cursor is not null);

        return all;
    }
}
