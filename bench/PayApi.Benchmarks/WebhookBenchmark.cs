using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PayApi.Contracts;
using PayApi.Grains.Webhooks;
using PayApi.Testing;

namespace PayApi.Benchmarks;

/// <summary>
/// Webhook deliveries per second to a loopback receiver on the embedded host: events handed to the clients' webhook
/// grains as a connection's outbox hands them (stored, indexed, signed, POSTed, the attempt recorded), against the
/// baseline of the same number of plain POSTs of the same body from one HttpClient at the same concurrency.
/// </summary>
internal static class WebhookBenchmark
{
    private const int Clients = 4;
    private const int EventsPerClient = 250;
    private const int Batch = 25;

    public static async Task<int> RunAsync(CancellationToken ct)
    {
        var total = Clients * EventsPerClient;
        Console.WriteLine($"Webhooks: {Clients} clients x {EventsPerClient} events to one loopback receiver; {Environment.ProcessorCount} cores");
        await using var receiver = await Receiver.StartAsync();
        string[] args = ["--Logging:LogLevel:Default=Warning", "--PayApi:RateLimit:PermitsPerSecond=100000", "--PayApi:RateLimit:Burst=100000"];
        await using var host = await TestHost.StartAsync(TestHost.NewDataDir(), new CapturedLogs(), args);
        var api = new ApiClient(host.Http);
        var grains = host.Service<IGrainFactory>();
        var clients = new List<string>();
        for (var i = 0; i < Clients; i++)
        {
            var client = await api.CreateClientAsync("bench-" + i);
            using var put = await api.SendAsync(HttpMethod.Put, "/v1/webhook", ApiClient.Basic(client), new { url = receiver.Url });
            if (put.StatusCode != HttpStatusCode.OK)
            {
                throw new BenchmarkFailedException($"PUT /v1/webhook answered {(int)put.StatusCode}");
            }

            clients.Add(client.ClientId);
        }

        // Warm-up: one event per client, outside the measurement.
        await HandOverAsync(grains, clients, 1);
        await receiver.WaitForAsync(Clients, TimeSpan.FromMinutes(2), ct);
        receiver.Reset();

        var cpu = ProcessTreeCpu.Seconds();
        var clock = Stopwatch.StartNew();
        await HandOverAsync(grains, clients, EventsPerClient);
        await receiver.WaitForAsync(total, TimeSpan.FromMinutes(10), ct);
        clock.Stop();
        var cpuSeconds = ProcessTreeCpu.Seconds() - cpu;

        // Baseline: the same bodies POSTed straight at the receiver, as many at once as the grains may have in flight.
        receiver.Reset();
        var body = ConnectionEvents.Connected(new ConnectionEvents.Subject("con_bench", "user", "sandbox-stripe"), DateTimeOffset.UtcNow, false).Body;
        using var http = new HttpClient();
        var concurrency = Clients * new WebhookOptions().MaxConcurrentDeliveries;
        var next = 0;
        var baselineClock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= total)
            {
                using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(receiver.Url, content, ct);
            }
        }));
        baselineClock.Stop();

        var rate = total / clock.Elapsed.TotalSeconds;
        var baseline = total / baselineClock.Elapsed.TotalSeconds;
        Console.WriteLine($"| path | events | seconds | events/s |");
        Console.WriteLine($"|---|---|---|---|");
        Console.WriteLine($"| webhook delivery (store, index, sign, POST, record) | {total} | {clock.Elapsed.TotalSeconds:F2} | {rate:F0} |");
        Console.WriteLine($"| baseline: plain POSTs of the same body | {total} | {baselineClock.Elapsed.TotalSeconds:F2} | {baseline:F0} |");
        Console.WriteLine($"webhooks: {rate:F0} events delivered/s ({cpuSeconds / total * 1000:F1} CPU s per 1,000 events); plain POSTs {baseline:F0}/s");
        return 0;
    }

    private static Task HandOverAsync(IGrainFactory grains, List<string> clients, int eventsPerClient) =>
        Task.WhenAll(clients.Select(async clientId =>
        {
            var webhook = grains.GetGrain<IWebhookGrain>(clientId);
            for (var sent = 0; sent < eventsPerClient; sent += Batch)
            {
                var batch = Enumerable.Range(0, Math.Min(Batch, eventsPerClient - sent))
                    .Select(i => ConnectionEvents.Connected(new ConnectionEvents.Subject("con_bench" + i, "user-" + i, "sandbox-stripe"), DateTimeOffset.UtcNow, false))
                    .ToList();
                await webhook.AcceptAsync(batch);
            }
        }));

    /// <summary>A loopback endpoint that answers 200 and counts.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _count;

        private Receiver(WebApplication app) => _app = app;

        public string Url => _app.Urls.First() + "/hook";

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hook", async (HttpContext context) =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
                Interlocked.Increment(ref receiver._count);
                return Results.Ok();
            });
            await app.StartAsync();
            return receiver;
        }

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public async Task WaitForAsync(int count, TimeSpan timeout, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            while (Volatile.Read(ref _count) < count)
            {
                if (clock.Elapsed > timeout)
                {
                    throw new BenchmarkFailedException($"only {_count} of {count} webhook events arrived in {timeout.TotalSeconds:0} s");
                }

                await Task.Delay(10, ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
