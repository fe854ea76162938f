using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace PayApi.Sandbox.Stripe;

/// <summary>Stripe's cursor pagination over a newest-first list: <c>limit</c>, <c>starting_after</c>, <c>ending_before</c>.</summary>
internal static class StripeListPaging
{
    public static IResult Page<T>(HttpRequest request, IReadOnlyList<T> items, Func<T, string> id, string url, string objectName)
    {
        var query = request.Query;
        var limit = 10;
        if (query.TryGetValue("limit", out var rawLimit))
        {
            if (!int.TryParse(rawLimit.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out limit))
            {
                return StripeResults.Error(400, "invalid_request_error", $"Invalid integer: {rawLimit}", "parameter_invalid_integer", "limit");
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

        int from;
        int to;
        bool hasMore;
        if (endingBefore.Length > 0)
        {
            var index = IndexOf(items, id, endingBefore);
            if (index < 0)
            {
                return NoSuch(objectName, endingBefore, "ending_before");
            }

            // The page just before the cursor, still listed newest first.
            to = index;
            from = Math.Max(0, index - limit);
            hasMore = from > 0;
        }
        else
        {
            from = 0;
            if (startingAfter.Length > 0)
            {
                var index = IndexOf(items, id, startingAfter);
                if (index < 0)
                {
                    return NoSuch(objectName, startingAfter, "starting_after");
                }

                from = index + 1;
            }

            to = Math.Min(items.Count, from + limit);
            hasMore = to < items.Count;
        }

        var data = new List<T>(to - from);
        for (var i = from; i < to; i++)
        {
            data.Add(items[i]);
        }

        return StripeResults.Ok(new StripeList<T>("list", data, hasMore, url));
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, Func<T, string> id, string wanted)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (string.Equals(id(items[i]), wanted, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static IResult NoSuch(string objectName, string id, string param) =>
        StripeResults.Error(400, "invalid_request_error", $"No such {objectName}: '{id}'", "resource_missing", param);
}
