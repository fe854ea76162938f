using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PayApi.IntegrationTests;

/// <summary>
/// A developer's webhook endpoint: a real Kestrel app on a free loopback port that records every delivery (raw body,
/// signature header, when) and answers as the test scripts it: a status code, or a hang until the sender gives up.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<CancellationToken, Task<int>>> _script = new();
    private int _open;
    private int _arrivals;

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    /// <summary>What a request gets once the script is used up: 200 unless set otherwise.</summary>
    public Func<CancellationToken, Task<int>> Default { get; set; } = _ => Task.FromResult(200);

    /// <summary>Requests being answered right now (a hanging answer counts until the sender gives up).</summary>
    public int Open => Volatile.Read(ref _open);

    public Uri Url => new(_app.Urls.First() + "/hook");

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    public void Then(int status) => _script.Enqueue(_ => Task.FromResult(status));

    public void ThenHang() => _script.Enqueue(Hang);

    public static async Task<int> Hang(CancellationToken aborted)
    {
        await Task.Delay(TimeSpan.FromMinutes(2), aborted);
        return 200;
    }

    /// <summary>The deliveries of one event in the order they arrived (a hung request is recorded only when the sender gives up).</summary>
    public IReadOnlyList<Delivery> For(string eventId) => Deliveries.Where(d => d.EventId == eventId).OrderBy(d => d.Arrival).ToList();

    /// <summary>Waits until <paramref name="condition"/> holds over the deliveries so far.</summary>
    public async Task WaitAsync(Func<IReadOnlyList<Delivery>, bool> condition, TimeSpan timeout, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition(Deliveries.ToList()))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{what}: not seen in {timeout.TotalSeconds:0} s; deliveries: " + string.Join(", ", Deliveries.Select(d => $"{d.Type}/{d.Answer}")));
            }

            await Task.Delay(25);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _open);
        var arrival = Interlocked.Increment(ref _arrivals);
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var raw = buffer.ToArray();
            var respond = _script.TryDequeue(out var next) ? next : Default;
            int status;
            try
            {
                status = await respond(context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                status = 0; // the sender hung up
            }

            using var doc = JsonDocument.Parse(raw);
            Deliveries.Enqueue(new Delivery(
                raw,
                context.Request.Headers["PayApi-Signature"].ToString(),
                doc.RootElement.GetProperty("id").GetString()!,
                doc.RootElement.GetProperty("type").GetString()!,
                doc.RootElement.GetProperty("data").Clone(),
                status,
                DateTimeOffset.UtcNow,
                arrival));
            if (status > 0)
            {
                context.Response.StatusCode = status;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>One request as received, and what it was answered (0: the sender gave up first).</summary>
    public sealed record Delivery(byte[] Raw, string Signature, string EventId, string Type, JsonElement Data, int Answer, DateTimeOffset At, int Arrival)
    {
        public string Body => Encoding.UTF8.GetString(Raw);
    }
}
