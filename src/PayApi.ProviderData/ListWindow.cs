using PayApi.Contracts;

namespace PayApi.ProviderData;

/// <summary>
/// The newest items of one list, held in the active grain's memory so the usual read (the first page) needs no
/// storage read and no decryption. <see cref="Total"/> says how long the whole list is, so the window knows when it
/// holds all of it.
/// </summary>
public sealed class ListWindow<T>(IReadOnlyList<T> newest, int total)
    where T : class
{
    public IReadOnlyList<T> Newest { get; } = newest;

    public int Total { get; } = total;

    public bool IsWholeList => Newest.Count >= Total;

    /// <summary>
    /// Answers the query from the window when the window alone decides the answer: it holds the whole list, or at
    /// least one matching item past the page (the window is a prefix of the list, so what it holds comes first).
    /// </summary>
    public bool TryPage(ListKind<T> kind, ListQuery query, out List<T> page, out string? nextCursor)
    {
        var collector = new PageCollector<T>(kind, query);
        foreach (var item in Newest)
        {
            collector.Offer(item);
            if (collector.IsFull)
            {
                break;
            }
        }

        if (collector.IsFull || IsWholeList)
        {
            (page, nextCursor) = collector.Result();
            return true;
        }

        page = [];
        nextCursor = null;
        return false;
    }
}
