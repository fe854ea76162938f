using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PayApi.Contracts;
using PayApi.Gateway.Auth;
using PayApi.Gateway.OpenApi;
using PayApi.Gateway.Http;

namespace PayApi.Gateway.Endpoints;

/// <summary>Endpoints a developer's backend calls with its client credentials.</summary>
public static class DeveloperEndpoints
{
    public static IEndpointRouteBuilder MapDeveloperApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireCaller(Authenticators.RequireClient);

        v1.MapGet("/providers", async (ProviderDirectory providers) =>
            Results.Json(new { data = (await providers.ListAsync()).Select(ProviderJson.Of) }))
            .WithSummary("List the providers end-users can connect").Produces<ProviderList>();

        v1.MapPost("/connect/sessions", OpenSessionAsync)
            .WithSummary("Open a connect session for an end-user")
            .WithDescription("Send the end-user to connect_url. With connection_id (one of yours) the session repairs that connection in place. The same Idempotency-Key and body within 24 h return the same session; another body with that key is a 409 conflict.")
            .RequestBody<CreateSessionRequest>().Produces<SessionCreatedResponse>(StatusCodes.Status201Created)
            .HeaderParameter("Idempotency-Key", "Up to 255 characters; retries with the same key and body return the same session.", "4f1c2a9e-7d1b-4c55-9a0e-2b7f0e6f5a10")
            .ProblemCodes(ErrorCodes.Conflict);

        v1.MapGet("/connect/sessions/{session_id}", async (string session_id, HttpContext context, IGrainFactory grains) =>
        {
            var view = await grains.ConnectSession(RequireId(session_id, Ids.SessionPrefix, "connect session")).GetAsync(context.ClientId());
            return Results.Json(new { session_id = view.SessionId, status = view.Status, provider = view.Provider, code = view.Code, error = view.Error, expires_at = view.ExpiresAt });
        })
        .WithSummary("Get a connect session's status")
        .WithDescription("status: pending, verifying, awaiting_mfa, succeeded, failed or expired; code is present once succeeded (single use, valid 10 minutes).")
        .Produces<SessionView>();

        v1.MapPost("/connections/exchange", async (HttpContext context, IGrainFactory grains, AccessTokens tokens) =>
        {
            var body = await JsonBody.ReadAsync(context);
            var code = body.RequiredString("code", 200);
            var dot = code.IndexOf('.', StringComparison.Ordinal);
            var sessionId = dot > 0 ? code[..dot] : "";
            if (!Ids.IsWellFormed(sessionId, Ids.SessionPrefix))
            {
                throw PayApiException.Invalid("code is invalid, expired or already used.");
            }

            var clientId = context.ClientId();
            var result = await grains.ConnectSession(sessionId).ExchangeAsync(clientId, code);
            var token = await tokens.IssueAsync(result.ConnectionId, clientId, result.Generation);
            return Results.Json(new { connection_id = result.ConnectionId, access_token = token });
        })
        .WithSummary("Exchange a session's code for the access token")
        .RequestBody<ExchangeRequest>().Produces<ExchangeResponse>();

        v1.MapGet("/connections", async (HttpContext context, IGrainFactory grains, string? end_user_id) =>
        {
            var clientId = context.ClientId();
            var owned = await grains.GetGrain<IClientGrain>(clientId).ListConnectionsAsync(end_user_id);
            var views = await Task.WhenAll(owned.Select(async o =>
            {
                try
                {
                    return await grains.GetGrain<IConnectionGrain>(o.ConnectionId).GetAsync(clientId);
                }
                catch (PayApiException ex) when (ex.Code == ErrorCodes.NotFound)
                {
                    return null; // disconnected between the two calls
                }
            }));
            return Results.Json(new { data = views.Where(v => v is not null) });
        })
        .WithSummary("List your connections, optionally of one end-user").Produces<ConnectionList>();

        v1.MapGet("/connections/{connection_id}", async (string connection_id, HttpContext context, IGrainFactory grains) =>
            Results.Json(await grains.GetGrain<IConnectionGrain>(RequireId(connection_id, Ids.ConnectionPrefix, "connection")).GetAsync(context.ClientId())))
            .WithSummary("Get one of your connections").Produces<ConnectionView>();

        v1.MapDelete("/connections/{connection_id}", async (string connection_id, HttpContext context, IGrainFactory grains) =>
            Results.Json(await grains.GetGrain<IConnectionGrain>(RequireId(connection_id, Ids.ConnectionPrefix, "connection")).DisconnectAsync(context.ClientId())))
            .WithSummary("Disconnect one of your connections and wipe its secrets").Produces<DisconnectReceipt>();

        return app;
    }

    private static async Task<IResult> OpenSessionAsync(HttpContext context, IGrainFactory grains, ProviderDirectory directory, PublicBaseUrl publicUrl)
    {
        var body = await JsonBody.ReadAsync(context);
        var endUserId = body.RequiredString("end_user_id", 128);
        var providers = body.OptionalStringArray("providers");
        if (providers is not null)
        {
            if (providers.Count == 0)
            {
                throw PayApiException.Invalid("providers must not be empty when given.");
            }

            var known = await directory.ListAsync();
            if (providers.Any(id => !known.Any(p => p.Id == id)))
            {
                throw PayApiException.Invalid("providers contains an unknown provider id.");
            }
        }

        var redirectUri = body.OptionalString("redirect_uri", 2048);
        if (redirectUri is not null
            && (!Uri.TryCreate(redirectUri, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)))
        {
            throw PayApiException.Invalid("redirect_uri must be an absolute http or https URL.");
        }

        var connectionId = body.OptionalString("connection_id", 100);
        if (connectionId is not null && !Ids.IsWellFormed(connectionId, Ids.ConnectionPrefix))
        {
            throw PayApiException.NotFound("connection");
        }

        var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
        if (idempotencyKey.Length > 255)
        {
            throw PayApiException.Invalid("Idempotency-Key is longer than 255 characters.");
        }

        var request = new SessionRequest(endUserId, providers?.Distinct(StringComparer.Ordinal).ToList(), redirectUri, connectionId);
        var bodyHash = Convert.ToHexString(SHA256.HashData(body.Raw));
        var created = await grains.GetGrain<IClientGrain>(context.ClientId())
            .OpenSessionAsync(request, idempotencyKey.Length == 0 ? null : idempotencyKey, bodyHash);
        return Results.Json(
            new { session_id = created.SessionId, connect_url = $"{publicUrl.Value}/connect/{created.SessionId}", expires_at = created.ExpiresAt },
            statusCode: StatusCodes.Status201Created);
    }

    /// <summary>A malformed id can name nothing of the caller's: answer as for any unknown id.</summary>
    internal static string RequireId(string id, string prefix, string what) =>
        Ids.IsWellFormed(id, prefix) ? id : throw PayApiException.NotFound(what);
}
