using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.Contracts;
using PayApi.Gateway.Cluster;

namespace PayApi.Gateway.Http;

/// <summary>
/// Turns every failure into a problem document: typed errors keep their code, a client's mistake is
/// never a 500, and a real bug is logged by type and answered without a stack trace.
/// </summary>
public sealed partial class ProblemMiddleware(RequestDelegate next, IOptions<FailoverOptions> failover, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            await WriteStatusOnlyAsync(context);
        }
        catch (PayApiException ex)
        {
            await TryWriteAsync(context, ex.Code, ex.Detail, ex.RetryAfterSeconds);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await TryWriteAsync(context, ErrorCodes.PayloadTooLarge, $"The request body is over the limit of {BodyLimits.MaxBytes / 1024} KiB.");
        }
        catch (BadHttpRequestException ex)
        {
            await TryWriteAsync(context, ErrorCodes.InvalidRequest, "The request could not be read: " + ex.StatusCode + ".");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; there is nobody to answer.
        }
        catch (Exception ex) when (IsDependencyFailure(ex))
        {
            // A silo that died mid-call, storage that is down or throttling: the caller's request was fine and a
            // retry shortly after is expected to succeed.
            LogDependencyFailure(logger, context.TraceIdentifier, ex.GetType().FullName);
            await TryWriteAsync(context, ErrorCodes.DependencyUnavailable, "A backing service is briefly unavailable. Retry after the time in Retry-After.",
                PayApiException.WholeSeconds(failover.Value.RetryAfter));
        }
        catch (Exception ex)
        {
            LogUnhandled(logger, context.TraceIdentifier, ex);
            await TryWriteAsync(context, ErrorCodes.InternalError, "An internal error occurred. Quote the request_id when reporting it.");
        }
    }

    /// <summary>
    /// A timeout, a broken connection, or an Orleans failure of a kind of its own (a silo gone, a message refused,
    /// storage that did not answer: our storage providers throw that as a subclass of
    /// <see cref="Orleans.Runtime.OrleansException"/>). Orleans also wraps any other failure of a grain's storage in a
    /// plain <see cref="Orleans.Runtime.OrleansException"/>; what it wraps decides, and a bug or a refusal (state too
    /// large to store) is a 500, since retrying cannot help.
    /// </summary>
    public static bool IsDependencyFailure(Exception ex) => ex switch
    {
        TimeoutException or IOException or System.Net.Sockets.SocketException or HttpRequestException => true,
        Orleans.Runtime.OrleansException { InnerException: { } inner } when ex.GetType() == typeof(Orleans.Runtime.OrleansException) => IsDependencyFailure(inner),
        Orleans.Runtime.OrleansException => true,
        _ => false,
    };

    // Routing's own 404/405, and any other status the framework answers with no body (a parameter it could not
    // bind, a result that is a status only), get the contract's shape too.
    private static Task WriteStatusOnlyAsync(HttpContext context)
    {
        var response = context.Response;
        if (response.StatusCode < 400 || response.HasStarted || response.ContentLength > 0 || response.ContentType is not null)
        {
            return Task.CompletedTask;
        }

        return response.StatusCode switch
        {
            StatusCodes.Status404NotFound => Problems.WriteAsync(context, ErrorCodes.NotFound, "No such resource."),
            StatusCodes.Status405MethodNotAllowed => WriteMethodNotAllowedAsync(context),
            StatusCodes.Status401Unauthorized => Problems.WriteAsync(context, ErrorCodes.Unauthorized, "Credentials are missing or not valid."),
            StatusCodes.Status403Forbidden => Problems.WriteAsync(context, ErrorCodes.Forbidden, "This call is not allowed with these credentials."),
            StatusCodes.Status413PayloadTooLarge => Problems.WriteAsync(context, ErrorCodes.PayloadTooLarge, $"The request body is over the limit of {BodyLimits.MaxBytes / 1024} KiB."),
            StatusCodes.Status429TooManyRequests => Problems.WriteAsync(context, ErrorCodes.RateLimited, "Too many requests."),
            >= 500 => Problems.WriteAsync(context, ErrorCodes.InternalError, "An internal error occurred. Quote the request_id when reporting it."),
            _ => Problems.WriteAsync(context, ErrorCodes.InvalidRequest, $"The request could not be served as sent ({response.StatusCode})."),
        };
    }

    // Problems keeps routing's Allow header; nothing may be set after the body is written.
    private static Task WriteMethodNotAllowedAsync(HttpContext context)
    {
        var allow = context.Response.Headers.Allow.ToString();
        return Problems.WriteAsync(context, ErrorCodes.MethodNotAllowed, allow.Length > 0
            ? $"Method {context.Request.Method} is not allowed on this path; it answers {allow}."
            : $"Method {context.Request.Method} is not allowed on this path.");
    }

    private async Task TryWriteAsync(HttpContext context, string code, string detail, int? retryAfterSeconds = null)
    {
        if (context.Response.HasStarted)
        {
            LogTooLate(logger, context.TraceIdentifier, code);
            return;
        }

        await Problems.WriteAsync(context, code, detail, retryAfterSeconds);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId} failed with an unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, string requestId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: a dependency failed with {ExceptionType}")]
    private static partial void LogDependencyFailure(ILogger logger, string requestId, string? exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: response already started, could not write problem {Code}")]
    private static partial void LogTooLate(ILogger logger, string requestId, string code);
}
