using System.Collections.Concurrent;
using System.Net;

namespace PayApi.Client.Tests;

/// <summary>Records every request the client sends and the status it got, in order (added through AddHttpMessageHandler).</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        Exchanges.Enqueue(new Exchange(
            request.Method.Method,
            request.RequestUri!.AbsolutePath,
            response.StatusCode,
            response.Headers.RetryAfter?.Delta,
            request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
            DateTimeOffset.UtcNow));
        return response;
    }

    public sealed record Exchange(string Method, string Path, HttpStatusCode Status, TimeSpan? RetryAfter, string? IdempotencyKey, DateTimeOffset At);
}
