using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace PayApi.Sandbox.Stripe;

/// <summary>
/// Stripe's cursor pagination over a newest-first list: <c>limit</c>, <c>starting_after</c>, <c>ending_before</c>, and the
/// <c>created</c> filter (<c>created=</c>, <c>created[gt]</c>, <c>created[gte]</c>, <c>created[lt]</c>, <c>created[lte]</c>, unix
/// seconds) applied together with the cursor: a page holds the objects after (or before) the cursor that match the filter.
/// </summary>
internal static class StripeListPaging
{
    private static readonly string[] CreatedOperators = ["gt", "gte", "lt", "lte"];

    public static IResult Page<T>(HttpRequest request, StripeObjectList<T> items, string url, string objectName)
    {
        var query = request.Query;
        var limit = 10;
        if (query.TryGetValue("limit", out var rawLimit))
        {
            if (!int.TryParse(rawLimit.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out limit))
            {
                return InvalidInteger(rawLimit.ToString(), "limit");
            }

            if (limit < 1 || limit > 100)
            {
                return StripeResults.Error(
                    400,
                    "invalid_request_error",
                    limit < 1 ? "This value must be greater than or equal to 1." : "This value must be less than or equal to 100.",
                    "parameter_invalid_integer",
                    "limit");
            }
        }

        var startingAfter = query["starting_after"].ToString();
        var endingBefore = query["ending_before"].ToString();
        if (startingAfter.Length > 0 && endingBefore.Length > 0)
        {
            return StripeResults.Error(400, "invalid_request_error", "You may only specify one of these parameters: ending_before, starting_after.");
        }

        var bounds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var op in CreatedOperators.Prepend(""))
        {
            var param = op.Length == 0 ? "created" : $"created[{op}]";
            var raw = query[param].ToString();
            if (raw.Length == 0)
            {
                continue;
            }

            if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix))
            {
                return InvalidInteger(raw, param);
            }

            bounds[op] = unix;
        }

        return items.Read(view =>
        {
            var (first, end) = Range(view, bounds);
            int from;
            int to;
            bool hasMore;
            if (endingBefore.Length > 0)
            {
                var index = view.IndexOf(endingBefore);
                if (index < 0)
                {
                    return NoSuch(objectName, endingBefore, "ending_before");
                }

                // The page just before the cursor, still listed newest first.
                to = Math.Clamp(index, first, end);
                from = Math.Max(first, to - limit);
                hasMore = from > first;
            }
            else
            {
                from = first;
                if (startingAfter.Length > 0)
                {
                    var index = view.IndexOf(startingAfter);
                    if (index < 0)
                    {
                        return NoSuch(objectName, startingAfter, "starting_after");
                    }

                    from = Math.Clamp(index + 1, first, end);
                }

                to = Math.Min(end, from + limit);
                hasMore = to < end;
            }

            var data = new List<T>(to - from);
            for (var i = from; i < to; i++)
            {
                data.Add(view[i]);
            }

            return StripeResults.Ok(new StripeList<T>("list", data, hasMore, url));
        });
    }

    /// <summary>The newest-first index range [first, end) whose creation times pass every bound.</summary>
    private static (int First, int End) Range<T>(StripeObjectList<T>.View view, Dictionary<string, long> bounds)
    {
        var first = 0;
        var end = view.Count;

        // Upper bounds cut the new end of the list, lower bounds the old end; created= is both at once.
        if (bounds.TryGetValue("", out var exactly))
        {
            first = Math.Max(first, view.FirstCreatedBefore(exactly, inclusive: true));
            end = Math.Min(end, view.FirstCreatedBefore(exactly, inclusive: false));
        }

        if (bounds.TryGetValue("lte", out var lte))
        {
            first = Math.Max(first, view.FirstCreatedBefore(lte, inclusive: true));
        }

        if (bounds.TryGetValue("lt", out var lt))
        {
            first = Math.Max(first, view.FirstCreatedBefore(lt, inclusive: false));
        }

        if (bounds.TryGetValue("gte", out var gte))
        {
            end = Math.Min(end, view.FirstCreatedBefore(gte, inclusive: false));
        }

        if (bounds.TryGetValue("gt", out var gt))
        {
            end = Math.Min(end, view.FirstCreatedBefore(gt, inclusive: true));
        }

        return (first, Math.Max(first, end));
    }

    private static IResult InvalidInteger(string raw, string param) =>
        StripeResults.Error(400, "invalid_request_error", $"Invalid integer: {raw}", "parameter_invalid_integer", param);

    private static IResult NoSuch(string objectName, string id, string param) =>
        StripeResults.Error(400, "invalid_request_error", $"No such {objectName}: '{id}'", "resource_missing", param);
}
