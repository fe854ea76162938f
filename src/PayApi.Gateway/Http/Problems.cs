using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PayApi.Contracts;

namespace PayApi.Gateway.Http;

/// <summary>Writes RFC 9457 problem documents with the contract's extra members (code, retryable, actor, request_id).</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static async Task WriteAsync(HttpContext context, string code, string detail, int? retryAfterSeconds = null)
    {
        var definition = ErrorCodes.Describe(code);
        var response = context.Response;

        // A 405 must say which methods the path answers (RFC 9110); routing put them in Allow before the clear.
        var allow = response.Headers.Allow;
        response.Clear();
        if (definition.Status == StatusCodes.Status405MethodNotAllowed && allow.Count > 0)
        {
            response.Headers.Allow = allow;
        }

        if (retryAfterSeconds is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        response.StatusCode = definition.Status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        if (code == ErrorCodes.Unauthorized && !response.Headers.ContainsKey("WWW-Authenticate"))
        {
            response.Headers.WWWAuthenticate = context.Request.Path.StartsWithSegments("/admin") ? "Bearer" : "Basic realm=\"payapi\", Bearer";
        }

        var body = new Dictionary<string, object?>
        {
            ["type"] = $"https://payapi.dev/errors/{code}",
            ["title"] = definition.Title,
            ["status"] = definition.Status,
            ["code"] = code,
            ["detail"] = detail,
            ["retryable"] = definition.Retryable,
            ["actor"] = definition.Actor.ToString().ToLowerInvariant(),
            ["request_id"] = context.TraceIdentifier,
        };
        await JsonSerializer.SerializeAsync(response.Body, body, cancellationToken: context.RequestAborted);
    }
}
