using Microsoft.AspNetCore.Http;

namespace PayApi.Gateway.Http;

/// <summary>
/// Marks every API answer <c>Cache-Control: no-store</c> and <c>Pragma: no-cache</c>: client secrets, access tokens,
/// exchange codes and provider data travel in them, and no browser, proxy or CDN may keep a copy. Set when the
/// response starts, so problem documents, rate-limit answers and endpoints that reset headers are covered too.
/// </summary>
public sealed class NoStore(RequestDelegate next)
{
    private static readonly PathString[] PrivatePaths = ["/v1", "/admin", "/connect/api"];

    public Task InvokeAsync(HttpContext context)
    {
        if (PrivatePaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
                return Task.CompletedTask;
            }, context.Response);
        }

        return next(context);
    }
}
