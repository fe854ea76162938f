using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PayApi.Sandbox.Bank;
using PayApi.Sandbox.Stripe;

namespace PayApi.Sandbox;

/// <summary>
/// The sandbox providers as a real web site on loopback: a Stripe-shaped API and the sandbox bank's
/// server-rendered web site. It runs its own Kestrel so the dev host and the tests exercise real HTTP.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxFaults _faults;
    private readonly BankState _bank;
    private readonly StripeAccounts _stripeAccounts;

    private SandboxServer(WebApplication app, SandboxFaults faults, BankState bank, StripeAccounts stripeAccounts, Uri baseAddress, Uri stripeBaseAddress, Uri bankBaseAddress)
    {
        _app = app;
        _faults = faults;
        _bank = bank;
        _stripeAccounts = stripeAccounts;
        BaseAddress = baseAddress;
        StripeBaseAddress = stripeBaseAddress;
        BankBaseAddress = bankBaseAddress;
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

    /// <summary>How many Stripe requests had no <c>Stripe-Version</c> header.</summary>
    public long StripeRequestsWithoutVersion => _faults.StripeRequestsWithoutVersion;

    /// <summary>The <c>Stripe-Version</c> header of the latest request that had one, or null.</summary>
    public string? StripeLastApiVersion => _faults.StripeLastVersion;

    /// <summary>
    /// The <c>Stripe-Should-Retry</c> header 5xx answers (<see cref="StripeOutage"/>, <see cref="StripeServerErrorNext"/>)
    /// carry: null (the default) sends none, as Stripe mostly does; true or false sends that advice.
    /// </summary>
    public bool? StripeServerErrorsShouldRetry
    {
        get => _faults.StripeShouldRetryOn5xx;
        set => _faults.StripeShouldRetryOn5xx = value;
    }

    /// <summary>
    /// Requests that reached one Stripe path (as Stripe spells it, e.g. <c>/v1/charges</c>, without query), of one
    /// method (<c>GET</c>, <c>POST</c>) or of any when <paramref name="method"/> is null.
    /// </summary>
    public long StripeRequestsTo(string path, string? method = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return _faults.StripeRequestsTo(path, method);
    }

    /// <summary>How many POSTs (writes, or write probes) reached the Stripe API.</summary>
    public long StripeWriteRequestCount => _faults.StripeRequestsOfMethod("POST");

    /// <summary>
    /// The next <paramref name="count"/> authenticated Stripe requests get Stripe's 429 <c>rate_limit</c> error with
    /// <c>Stripe-Should-Retry: true</c>; 0 cancels what is left.
    /// </summary>
    public void StripeRateLimitNext(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _faults.RateLimitNext(count);
    }

    /// <summary>The next <paramref name="count"/> authenticated Stripe requests get a 500 <c>api_error</c>; 0 cancels what is left.</summary>
    public void StripeServerErrorNext(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _faults.ServerErrorNext(count);
    }

    /// <summary>From now on the sandbox answers <paramref name="apiKey"/> as a revoked key (401 invalid_api_key).</summary>
    public void RevokeStripeKey(string apiKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        _faults.Revoke(apiKey);
    }

    /// <summary>
    /// Grows the account behind <paramref name="apiKey"/> (any key of that account and mode) by <paramref name="count"/>
    /// succeeded charges, each created a minute after the newest one before it, visible to every later list request.
    /// </summary>
    public void AddStripeCharges(string apiKey, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var key = StripeKey.Recognize(apiKey) ?? throw new ArgumentException("The sandbox does not accept this key.", nameof(apiKey));
        _stripeAccounts.For(key).AddCharges(count);
    }

    /// <summary>Root of the sandbox bank web site (ends with '/'); append <c>login</c>, <c>dashboard</c> etc.</summary>
    public Uri BankBaseAddress { get; }

    /// <summary>When on, every bank page answers 503 as during a maintenance window.</summary>
    public bool BankOutage
    {
        get => _bank.Outage;
        set => _bank.Outage = value;
    }

    /// <summary>Every login POST the bank received, including those the bot check refused.</summary>
    public long BankLoginAttempts => _bank.LoginAttempts;

    /// <summary>Sessions not yet idle for longer than <see cref="SandboxOptions.BankSessionIdleTimeout"/>.</summary>
    public int BankActiveSessions => _bank.ActiveSessions;

    /// <summary>
    /// Login POSTs per client address as the bot check sees it (the proxy's Via name, else the TCP peer),
    /// so tests can prove that a connection stuck to its proxy.
    /// </summary>
    public IReadOnlyDictionary<string, int> BankLoginsByClientAddress() => _bank.LoginsByClientAddress();

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = NormalizePrefix(options.StripePathPrefix, nameof(options.StripePathPrefix));
        var bankPrefix = NormalizePrefix(options.BankPathPrefix, nameof(options.BankPathPrefix));
        if (prefix.StartsWith(bankPrefix + "/", StringComparison.Ordinal)
            || bankPrefix.StartsWith(prefix + "/", StringComparison.Ordinal)
            || prefix == bankPrefix)
        {
            // Nested or equal prefixes would let one site's fallback route swallow the other's pages.
            throw new ArgumentException("The Stripe and bank path prefixes must not overlap.", nameof(options));
        }

        var bank = new BankState(TimeProvider.System, options.BankSessionIdleTimeout, options.BankLoginLimit, options.BankLoginWindow);

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

        var stripeAccounts = new StripeAccounts();
        var app = builder.Build();
        app.MapStripeApi(prefix, faults, stripeAccounts);
        app.MapBank(bankPrefix, bank, TimeProvider.System, options.BankLoginWindow, options.BankPassword);

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
        var bankBase = new Uri(baseAddress, bankPrefix.TrimStart('/') + "/");
        return new SandboxServer(app, faults, bank, stripeAccounts, baseAddress, stripeBase, bankBase);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string NormalizePrefix(string? prefix, string optionName)
    {
        var trimmed = (prefix ?? string.Empty).Trim().Trim('/');
        if (trimmed.Length == 0)
        {
            // An empty prefix would put one site's fallback route over the whole listener, hiding the other.
            throw new ArgumentException($"{optionName} must not be empty.", optionName);
        }

        return "/" + trimmed;
    }
}
