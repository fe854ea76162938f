using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace PayApi.Gateway.Http;

/// <summary>
/// One log line per request. It names the route template, never the raw path (which can carry a connect
/// session capability or an end-user id) nor any header or body; the raw path is classified secret and
/// erased by the redactor, so it cannot appear even if a sink logs parameters.
/// </summary>
public sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
            LogRequest(logger, context.Request.Method, route, context.Request.Path.Value ?? "", context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.TraceIdentifier);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {Method} {Route} {Path} -> {StatusCode} in {ElapsedMs:0.0} ms ({RequestId})")]
    private static partial void LogRequest(ILogger logger, string method, string route, [SecretData] string path, int statusCode, double elapsedMs, string requestId);
}
