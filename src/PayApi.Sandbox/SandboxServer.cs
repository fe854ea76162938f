using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PayApi.Sandbox.Stripe;

namespace PayApi.Sandbox;

/// <summary>
/// The sandbox providers as a real web site on loopback: a Stripe-shaped API today, the sandbox
/// bank later. It runs its own Kestrel so the dev host and the tests exercise real HTTP.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxFaults _faults;

    private SandboxServer(WebApplication app, SandboxFaults faults, Uri baseAddress, Uri stripeBaseAddress)
    {
        _app = app;
        _faults = faults;
        BaseAddress = baseAddress;
        StripeBaseAddress = stripeBaseAddress;
    }

    /// <summary>The address actually bound, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Root of the Stripe-shaped API (ends with '/'); append <c>v1/balance</c> etc.</summary>
    public Uri StripeBaseAddress { get; }

    /// <summary>When on, every Stripe call answers 503 as Stripe does during an incident.</summary>
    public bool StripeOutage
    {
        get => _faults.StripeOutage;
        set => _faults.StripeOutage = value;
    }

    /// <summary>When on, every authenticated Stripe call answers 200 with an HTML page instead of JSON.</summary>
    public bool StripeMalformedResponses
    {
        get => _faults.StripeMalformed;
        set => _faults.StripeMalformed = value;
    }

    /// <summary>Delay added before every Stripe answer, to exercise callers' timeouts.</summary>
    public TimeSpan StripeResponseDelay
    {
        get => _faults.StripeDelay;
        set => _faults.StripeDelay = value;
    }

    /// <summary>How many requests reached the Stripe API, so tests can prove a call was never made.</summary>
    public long StripeRequestCount => _faults.StripeRequests;

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = NormalizePrefix(options.StripePathPrefix);

        // The empty builder reads no appsettings.json or environment: hosted inside the gateway process,
        // the gateway's own Kestrel endpoints or URLs must not leak into the sandbox's listener.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        builder.Services.AddRouting();

        // Quiet by default, and no request logging at all, so an Authorization header can never reach a log.
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);

        var faults = new SandboxFaults();
        builder.Services.AddSingleton(faults);

        var app = builder.Build();
        app.MapStripeApi(prefix, faults);

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseAddress = new Uri(bound.EndsWith('/') ? bound : bound + "/");
        var stripeBase = new Uri(baseAddress, prefix.TrimStart('/') + "/");
        return new SandboxServer(app, faults, baseAddress, stripeBase);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string NormalizePrefix(string? prefix)
    {
        var trimmed = (prefix ?? string.Empty).Trim().Trim('/');
        if (trimmed.Length == 0)
        {
            // An empty prefix would put the fallback route over the whole site, hiding the bank pages.
            throw new ArgumentException("The Stripe path prefix must not be empty.", nameof(prefix));
        }

        return "/" + trimmed;
    }
}
