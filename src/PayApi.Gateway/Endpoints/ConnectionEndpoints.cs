using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PayApi.Contracts;
using PayApi.Gateway.Auth;
using PayApi.Gateway.OpenApi;

namespace PayApi.Gateway.Endpoints;

/// <summary>Endpoints a developer calls for one end-user with that connection's access token.</summary>
public static class ConnectionEndpoints
{
    public static IEndpointRouteBuilder MapConnectionApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireCaller(Authenticators.RequireAccessToken);

        v1.MapGet("/connection", async (HttpContext context, IGrainFactory grains) =>
        {
            var token = context.Token();
            return Results.Json(await Grain(grains, token).GetByTokenAsync(token.Grant()));
        })
        .WithSummary("Get this connection").Produces<ConnectionView>();

        v1.MapGet("/balance", async (HttpContext context, IGrainFactory grains) =>
        {
            var token = context.Token();
            var view = await Grain(grains, token).GetBalanceAsync(token.Grant());
            return Results.Json(new { data = view.Data, fetched_at = view.FetchedAt, cached = view.Cached });
        })
        .WithSummary("Get the account's balances").Produces<BalanceView>()
        .ProblemCodes(ErrorCodes.Forbidden, ErrorCodes.LoginRequired, ErrorCodes.ProviderUnavailable, ErrorCodes.BotBlocked, ErrorCodes.UnexpectedProviderResponse);

        v1.MapGet("/transactions", async (HttpContext context, IGrainFactory grains) =>
        {
            var token = context.Token();
            var page = await Grain(grains, token).GetTransactionsAsync(token.Grant(), Query(context.Request.Query, withDates: true));
            return Results.Json(PageJson(page.Data, page.NextCursor, page.FetchedAt, page.Cached));
        })
        .WithSummary("List transactions, newest first").WithDescription("amount is negative for money out. Page with next_cursor.")
        .Produces<TransactionPage>()
        .QueryParameter("limit", "Items per page, 1 to 500 (default 100).", "integer", "int32", example: "100")
        .QueryParameter("cursor", "The next_cursor of the previous page.")
        .QueryParameter("from", "Oldest time included: an RFC 3339 time or a YYYY-MM-DD date.", example: "2026-01-01")
        .QueryParameter("to", "Newest time included: an RFC 3339 time or a YYYY-MM-DD date (the whole day).", example: "2026-11-30")
        .ProblemCodes(ErrorCodes.Forbidden, ErrorCodes.LoginRequired, ErrorCodes.ProviderUnavailable, ErrorCodes.BotBlocked, ErrorCodes.UnexpectedProviderResponse);

        v1.MapGet("/payouts", async (HttpContext context, IGrainFactory grains) =>
        {
            var token = context.Token();
            var page = await Grain(grains, token).GetPayoutsAsync(token.Grant(), Query(context.Request.Query, withDates: false));
            return Results.Json(PageJson(page.Data, page.NextCursor, page.FetchedAt, page.Cached));
        })
        .WithSummary("List payouts, newest first").Produces<PayoutPage>()
        .QueryParameter("limit", "Items per page, 1 to 500 (default 100).", "integer", "int32", example: "100")
        .QueryParameter("cursor", "The next_cursor of the previous page.")
        .ProblemCodes(ErrorCodes.Forbidden, ErrorCodes.LoginRequired, ErrorCodes.ProviderUnavailable, ErrorCodes.BotBlocked, ErrorCodes.UnexpectedProviderResponse);

        v1.MapPost("/connection/refresh", async (HttpContext context, IGrainFactory grains) =>
        {
            var token = context.Token();
            await Grain(grains, token).RequestRefreshAsync(token.Grant());
            return Results.Json(new { status = "accepted" }, statusCode: StatusCodes.Status202Accepted);
        })
        .WithSummary("Fetch fresh data from the provider now")
        .WithDescription("Refreshes are spaced by the provider's minimum interval: sooner answers 429 with Retry-After.")
        .Produces<StatusResponse>(StatusCodes.Status202Accepted)
        .ProblemCodes(ErrorCodes.LoginRequired, ErrorCodes.ProviderUnavailable, ErrorCodes.BotBlocked, ErrorCodes.UnexpectedProviderResponse);

        v1.MapPost("/disconnect", async (HttpContext context, IGrainFactory grains) =>
        {
            var token = context.Token();
            return Results.Json(await Grain(grains, token).DisconnectByTokenAsync(token.Grant()));
        })
        .WithSummary("Disconnect this connection and wipe its secrets").Produces<DisconnectReceipt>();

        return app;
    }

    private static IConnectionGrain Grain(IGrainFactory grains, AccessTokenClaims token) =>
        grains.GetGrain<IConnectionGrain>(token.ConnectionId);

    // next_cursor is always present, null on the last page, so it is written from a dictionary.
    private static Dictionary<string, object?> PageJson<T>(IReadOnlyList<T> data, string? nextCursor, DateTimeOffset fetchedAt, bool cached) => new()
    {
        ["data"] = data,
        ["next_cursor"] = nextCursor,
        ["fetched_at"] = fetchedAt,
        ["cached"] = cached,
    };

    private static ListQuery Query(IQueryCollection query, bool withDates)
    {
        var limit = 100;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 500))
        {
            throw PayApiException.Invalid("limit must be an integer from 1 to 500.");
        }

        var cursor = query.TryGetValue("cursor", out var c) && !string.IsNullOrEmpty(c) ? c.ToString() : null;
        if (cursor is { Length: > 512 })
        {
            throw PayApiException.Invalid("cursor is not valid for this list.");
        }

        var from = withDates ? Date(query, "from", endOfDay: false) : null;
        var to = withDates ? Date(query, "to", endOfDay: true) : null;
        if (from > to)
        {
            throw PayApiException.Invalid("from must not be after to.");
        }

        return new ListQuery(limit, cursor, from, to);
    }

    // Accepts an RFC 3339 time or a plain date; a plain "to" date includes that whole day.
    private static DateTimeOffset? Date(IQueryCollection query, string name, bool endOfDay)
    {
        if (!query.TryGetValue(name, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        var text = value.ToString();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            // TimeOnly.MaxValue, not next midnight minus a tick: 9999-12-31 has no next day.
            return new DateTimeOffset(day.ToDateTime(endOfDay ? TimeOnly.MaxValue : TimeOnly.MinValue), TimeSpan.Zero);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw PayApiException.Invalid($"{name} must be an RFC 3339 time or a YYYY-MM-DD date.");
    }
}
