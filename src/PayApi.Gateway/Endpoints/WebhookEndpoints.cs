using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PayApi.Contracts;
using PayApi.Gateway.Auth;
using PayApi.Gateway.Http;
using PayApi.Gateway.OpenApi;

namespace PayApi.Gateway.Endpoints;

/// <summary>The developer's webhook: url and signing secret, the events raised for the client, replays.</summary>
public static class WebhookEndpoints
{
    private const int DefaultLimit = 20;
    private const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapWebhookApi(this IEndpointRouteBuilder app)
    {
        var webhook = app.MapGroup("/v1/webhook").RequireCaller(Authenticators.RequireClient);

        webhook.MapPut("", async (HttpContext context, IGrainFactory grains) =>
        {
            var body = await JsonBody.ReadAsync(context);
            var url = body.RequiredString("url", 2048);
            var view = await Webhook(grains, context).ConfigureAsync(url);
            return Results.Json(new { url = view.Url, signing_secret = view.SigningSecret });
        })
        .WithSummary("Set the webhook URL").RequestBody<SetWebhookRequest>().Produces<WebhookSecretResponse>();

        webhook.MapGet("", async (HttpContext context, IGrainFactory grains) =>
        {
            var view = await Webhook(grains, context).GetAsync();
            return Results.Json(new { url = view.Url, previous_secret_expires_at = view.PreviousSecretExpiresAt });
        })
        .WithSummary("Get the webhook").Produces<WebhookResponse>().ProblemCodes(ErrorCodes.NotFound);

        webhook.MapDelete("", async (HttpContext context, IGrainFactory grains) =>
        {
            await Webhook(grains, context).RemoveAsync();
            return Results.NoContent();
        })
        .WithSummary("Remove the webhook and shred its secret").Produces(StatusCodes.Status204NoContent);

        webhook.MapPost("/rotate-secret", async (HttpContext context, IGrainFactory grains) =>
        {
            var view = await Webhook(grains, context).RotateSecretAsync();
            return Results.Json(new { url = view.Url, signing_secret = view.SigningSecret, previous_secret_expires_at = view.PreviousSecretExpiresAt });
        })
        .WithSummary("Rotate the signing secret (the old one signs alongside for 24 h)").Produces<WebhookSecretResponse>().ProblemCodes(ErrorCodes.NotFound);

        webhook.MapGet("/events", async (HttpContext context, IGrainFactory grains) =>
        {
            var query = context.Request.Query;
            var limit = DefaultLimit;
            if (query.TryGetValue("limit", out var limitText)
                && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            {
                throw PayApiException.Invalid($"limit must be an integer from 1 to {MaxLimit}.");
            }

            var cursor = query.TryGetValue("cursor", out var cursorText) && cursorText.ToString().Length > 0 ? cursorText.ToString() : null;
            if (cursor is { Length: > 64 })
            {
                throw PayApiException.Invalid("cursor is not a cursor this list returned.");
            }

            var page = await Webhook(grains, context).ListEventsAsync(cursor, limit);
            return Results.Json(new { data = page.Events.Select(EventJson), next_cursor = page.NextCursor });
        })
        .WithSummary("List events with their delivery attempts, newest first").Produces<WebhookEventList>()
        .QueryParameter("limit", $"Events per page, 1 to {MaxLimit} (default {DefaultLimit}).", "integer", "int32", example: "20")
        .QueryParameter("cursor", "The next_cursor of the previous page.");

        webhook.MapPost("/events/{event_id}/replay", async (string event_id, HttpContext context, IGrainFactory grains) =>
        {
            var id = DeveloperEndpoints.RequireId(event_id, Ids.EventPrefix, "event");
            var view = await Webhook(grains, context).ReplayAsync(id);
            return Results.Json(EventJson(view), statusCode: StatusCodes.Status202Accepted);
        })
        .WithSummary("Send an event again (same id and body)").Produces<WebhookEventShape>(StatusCodes.Status202Accepted);

        return app;
    }

    private static IWebhookGrain Webhook(IGrainFactory grains, HttpContext context) => grains.GetGrain<IWebhookGrain>(context.ClientId());

    private static object EventJson(WebhookEventView view)
    {
        using var body = JsonDocument.Parse(view.Event.Body);
        return new
        {
            id = view.Event.Id,
            type = view.Event.Type,
            created_at = view.Event.CreatedAt,
            data = body.RootElement.GetProperty("data").Clone(),
            status = view.Status,
            attempts = view.Attempts.Select(a => new { at = a.At, status_code = a.StatusCode, latency_ms = a.LatencyMs, error = a.Error }),
        };
    }
}
