using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PayApi.Testing;

namespace PayApi.IntegrationTests.Telemetry;

/// <summary>
/// A loopback OTLP/HTTP receiver: a real Kestrel app on a free port that accepts <c>POST /v1/traces</c>,
/// <c>/v1/metrics</c> and <c>/v1/logs</c> with protobuf bodies and keeps every body it was sent.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _bodies = new();

    private OtlpReceiver(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/{signal}).</summary>
    public Uri Endpoint { get; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePorts.Take();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/v1/{signal}", async (string signal, HttpContext context) =>
        {
            if (signal is not ("traces" or "metrics" or "logs") || context.Request.ContentType != "application/x-protobuf")
            {
                return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
            }

            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            receiver!._bodies.Enqueue((signal, buffer.ToArray()));
            // An empty Export*ServiceResponse: full success.
            return Results.Bytes(Array.Empty<byte>(), "application/x-protobuf");
        });
        receiver = new OtlpReceiver(app, new Uri($"http://127.0.0.1:{port}"));
        await app.StartAsync();
        return receiver;
    }

    public IReadOnlyList<byte[]> Bodies(string signal) => [.. _bodies.Where(b => b.Signal == signal).Select(b => b.Body)];

    public IReadOnlyList<byte[]> AllBodies => [.. _bodies.Select(b => b.Body)];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
