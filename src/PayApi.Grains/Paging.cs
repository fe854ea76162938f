using System.Buffers.Text;
using System.Text;
using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>
/// Pages through a cached, newest-first list. The cursor names the last item returned (not an offset),
/// so a refresh that adds newer items between two pages neither repeats nor skips anything.
/// </summary>
internal static class Paging
{
    public static (List<T> Page, string? NextCursor) Slice<T>(
        IReadOnlyList<T> items, Func<T, string> idOf, Func<T, DateTimeOffset> dateOf, ListQuery query)
    {
        IEnumerable<T> filtered = items;
        if (query.From is { } from)
        {
            filtered = filtered.Where(i => dateOf(i) >= from);
        }

        if (query.To is { } to)
        {
            filtered = filtered.Where(i => dateOf(i) <= to);
        }

        var list = filtered.ToList();
        var start = 0;
        if (query.Cursor is not null)
        {
            var afterId = Decode(query.Cursor);
            var index = list.FindIndex(i => idOf(i) == afterId);
            if (index < 0)
            {
                throw PayApiException.Invalid("cursor is not valid for this list.");
            }

            start = index + 1;
        }

        var page = list.Skip(start).Take(query.Limit).ToList();
        var more = start + page.Count < list.Count;
        return (page, more && page.Count > 0 ? Encode(idOf(page[^1])) : null);
    }

    private static string Encode(string id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("after:" + id));

    private static string Decode(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith("after:", StringComparison.Ordinal)
                ? text["after:".Length..]
                : throw PayApiException.Invalid("cursor is not valid for this list.");
        }
        catch (FormatException)
        {
            throw PayApiException.Invalid("cursor is not valid for this list.");
        }
    }
}
