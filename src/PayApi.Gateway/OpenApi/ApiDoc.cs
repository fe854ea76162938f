using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PayApi.Contracts;

namespace PayApi.Gateway.OpenApi;

/// <summary>
/// How an endpoint describes itself in <c>/openapi/v1.json</c>. The document is generated from the mapped endpoints'
/// metadata; an endpoint annotates itself where it is mapped, with the framework's own conventions plus these:
/// <code>
/// v1.MapPut("/webhook", handler)
///   .WithSummary("Set the webhook URL")                       // required by the linter
///   .RequestBody&lt;SetWebhookRequest&gt;()                    // the JSON request body's shape (a record in WireShapes.cs)
///   .Produces&lt;WebhookSecretResponse&gt;()                   // each success status and its shape
///   .ProblemCodes(ErrorCodes.Conflict)                         // problem codes beyond the automatic ones
///   .QueryParameter("cursor", "A next_cursor of a previous page.");   // query parameters read from HttpContext
/// </code>
/// What needs no annotation: the security scheme (from the group's <c>RequireCaller</c>), the tag (from the path and
/// scheme), the operationId, and the problems every such endpoint can answer (401 when authenticated, 400/413 with a
/// body, 404 with a path parameter, 429, 500, 503). See README "OpenAPI document".
/// </summary>
public static class ApiDoc
{
    /// <summary>Problem codes this endpoint answers besides those added for every endpoint of its kind.</summary>
    public static TBuilder ProblemCodes<TBuilder>(this TBuilder builder, params string[] codes)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var code in codes)
        {
            if (!ErrorCodes.IsKnown(code))
            {
                throw new ArgumentException($"{code} is not an error code of the contract.", nameof(codes));
            }
        }

        return builder.WithMetadata(new ProblemCodesMetadata(codes));
    }

    /// <summary>
    /// The JSON body the handler reads itself (with <c>JsonBody</c>). Documentation only: unlike <c>Accepts&lt;T&gt;()</c>
    /// it adds no content-type constraint to routing, so a wrong Content-Type still reaches the handler (after
    /// authentication) and gets its own problem document rather than routing's 415.
    /// </summary>
    public static TBuilder RequestBody<TBuilder>(this TBuilder builder, Type type, string? description = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyMetadata(type, description));

    /// <inheritdoc cref="RequestBody{TBuilder}(TBuilder, Type, string?)"/>
    public static RouteHandlerBuilder RequestBody<TBody>(this RouteHandlerBuilder builder, string? description = null) =>
        builder.RequestBody(typeof(TBody), description);

    /// <summary>A query parameter the handler reads itself (not bound from its signature).</summary>
    public static TBuilder QueryParameter<TBuilder>(this TBuilder builder, string name, string description, string type = "string", string? format = null, bool required = false, string? example = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ExtraParameterMetadata("query", name, description, type, format, required, example));

    /// <summary>A request header the handler reads itself (<c>Idempotency-Key</c>, <c>Accept</c>).</summary>
    public static TBuilder HeaderParameter<TBuilder>(this TBuilder builder, string name, string description, string? example = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ExtraParameterMetadata("header", name, description, "string", null, false, example));

    /// <summary>A response that is not JSON (the Connect page's HTML, a CSV export).</summary>
    public static RouteHandlerBuilder ProducesText(this RouteHandlerBuilder builder, string contentType, string description, int status = StatusCodes.Status200OK) =>
        builder.WithMetadata(new TextResponseMetadata(status, contentType, description));
}

/// <summary>The JSON request body an endpoint reads itself.</summary>
public sealed record RequestBodyMetadata(Type Type, string? Description);

/// <summary>Problem codes an endpoint documents beyond the automatic ones.</summary>
public sealed record ProblemCodesMetadata(IReadOnlyList<string> Codes);

/// <summary>A query parameter or header documented by hand because the handler reads it from the request itself.</summary>
public sealed record ExtraParameterMetadata(string In, string Name, string Description, string Type, string? Format, bool Required, string? Example);

/// <summary>A non-JSON response body.</summary>
public sealed record TextResponseMetadata(int Status, string ContentType, string Description);

/// <summary>Which security scheme guards an endpoint; added by <c>Authenticators.RequireCaller</c>.</summary>
public sealed record ApiSecurityMetadata(string Scheme)
{
    public const string Admin = "adminToken";
    public const string Client = "clientBasic";
    public const string AccessToken = "accessToken";
}
