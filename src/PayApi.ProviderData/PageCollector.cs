using PayApi.Contracts;

namespace PayApi.ProviderData;

/// <summary>
/// Builds one page of a list query from items offered newest first: skips what is at or before the cursor and what
/// is outside <c>from</c>..<c>to</c>, and stops once it holds one item more than the page, which is how it knows a
/// next page exists.
/// </summary>
internal sealed class PageCollector<T>
    where T : class
{
    private readonly ListKind<T> _kind;
    private readonly ListQuery _query;
    private readonly ItemPosition? _after;
    private readonly List<T> _items;

    public PageCollector(ListKind<T> kind, ListQuery query)
    {
        _kind = kind;
        _query = query;
        _after = query.Cursor is { } cursor ? ListCursor.Decode(cursor) : null;
        _items = new List<T>(Math.Min(query.Limit + 1, 64));
    }

    /// <summary>True once the page and the look-ahead item are collected.</summary>
    public bool IsFull => _items.Count > _query.Limit;

    /// <summary>How many items matched so far (at most one more than the page).</summary>
    public int Count => _items.Count;

    /// <summary>Whether a chunk spanning <paramref name="newest"/>..<paramref name="oldest"/> can hold any item of this page.</summary>
    public bool MayMatch(ItemPosition newest, ItemPosition oldest) =>
        (_after is not { } after || after.IsBefore(oldest))
        && (_query.From is not { } from || newest.Date >= from)
        && (_query.To is not { } to || oldest.Date <= to);

    /// <summary>True when everything at <paramref name="position"/> and after it is older than <c>from</c>: the page is complete.</summary>
    public bool IsPastRange(ItemPosition position) => _query.From is { } from && position.Date < from;

    public void Offer(T item)
    {
        if (IsFull)
        {
            return;
        }

        var position = _kind.PositionOf(item);
        if (_after is { } after && !after.IsBefore(position))
        {
            return;
        }

        if ((_query.From is { } from && position.Date < from) || (_query.To is { } to && position.Date > to))
        {
            return;
        }

        _items.Add(item);
    }

    public (List<T> Page, string? NextCursor) Result()
    {
        if (!IsFull)
        {
            return (_items, null);
        }

        var page = _items.GetRange(0, _query.Limit);
        return (page, ListCursor.Encode(_kind.PositionOf(page[^1])));
    }
}
