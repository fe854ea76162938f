using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PayApi.Providers.Tests;

/// <summary>
/// A tiny loopback server for raw wire cases: a provider that misbehaves, answering every request with one canned
/// response or with a script that sees how many requests came before; it records what each request carried.
/// </summary>
internal sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests;

    private FakeHttpServer(WebApplication app, Uri baseAddress, ConcurrentQueue<RecordedRequest> requests)
    {
        _app = app;
        BaseAddress = baseAddress;
        _requests = requests;
    }

    public Uri BaseAddress { get; }

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public static Task<FakeHttpServer> StartAsync(int status, string contentType, string body) =>
        StartAsync((_, context) => Reply(context, status, body, contentType));

    /// <summary>A server whose answer is scripted per request; the int is the request's 0-based number.</summary>
    public static async Task<FakeHttpServer> StartAsync(Func<int, HttpContext, Task> respond)
    {
        var requests = new ConcurrentQueue<RecordedRequest>();
        var count = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            var request = context.Request;
            requests.Enqueue(new RecordedRequest(
                request.Method,
                request.Path.Value ?? "",
                request.QueryString.Value ?? "",
                request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
                request.Headers["Stripe-Version"].ToString(),
                request.Headers.Authorization.ToString()));
            await respond(Interlocked.Increment(ref count) - 1, context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeHttpServer(app, new Uri(address + "/"), requests);
    }

    public static async Task Reply(HttpContext context, int status, string body, string contentType = "application/json", params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>What one request carried: method, path, raw and decoded query, <c>Stripe-Version</c> and Authorization.</summary>
    public sealed record RecordedRequest(
        string Method, string Path, string RawQuery, IReadOnlyDictionary<string, string> Query, string StripeVersion, string Authorization);
}
