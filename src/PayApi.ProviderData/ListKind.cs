using PayApi.Contracts;

namespace PayApi.ProviderData;

/// <summary>
/// One of a connection's lists (transactions, payouts): its name in chunk names, and how to read an item's id and
/// date. Every list is held newest first, ties broken by id, so a position (date, id) is a total order.
/// </summary>
public sealed class ListKind<T>
    where T : class
{
    private ListKind(string name, Func<T, string> idOf, Func<T, DateTimeOffset> dateOf, Func<T, T> shareStrings, Func<T, int> textLength)
    {
        TextLength = textLength;
        Name = name;
        IdOf = idOf;
        DateOf = dateOf;
        ShareStrings = shareStrings;
    }

    public string Name { get; }

    public Func<T, string> IdOf { get; }

    public Func<T, DateTimeOffset> DateOf { get; }

    /// <summary>The same item with its few-valued strings (currency, status) shared, for items held in memory for long.</summary>
    internal Func<T, T> ShareStrings { get; }

    /// <summary>
    /// An item's JSON size, at most: each UTF-16 character of its text takes up to 6 bytes (a <c>\uXXXX</c> escape),
    /// plus the names, dates and numbers of the fixed fields.
    /// </summary>
    internal int EstimatedBytes(T item) => 6 * TextLength(item) + 160;

    private Func<T, int> TextLength { get; }

    public ItemPosition PositionOf(T item) => new(DateOf(item), IdOf(item));

    /// <summary>Sorts newest first (date descending, then id descending, ordinal).</summary>
    public List<T> Sorted(IEnumerable<T> items)
    {
        var list = items.ToList();
        list.Sort((a, b) => ItemPosition.CompareNewestFirst(PositionOf(a), PositionOf(b)));
        return list;
    }

    public static readonly ListKind<TransactionItem> Transactions = new(
        "transactions", t => t.Id, t => t.Date, t => t with { Currency = SharedStrings.Share(t.Currency), Status = SharedStrings.Share(t.Status) },
        t => t.Id.Length + t.Currency.Length + t.Description.Length + t.Status.Length);

    public static readonly ListKind<PayoutItem> Payouts = new(
        "payouts", p => p.Id, p => p.ArrivalDate, p => p with { Currency = SharedStrings.Share(p.Currency), Status = SharedStrings.Share(p.Status) },
        p => p.Id.Length + p.Currency.Length + p.Status.Length);
}
