using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Compliance.Redaction;
using Orleans.Configuration;
using PayApi.Gateway;
using PayApi.Gateway.Http;
using PayApi.Grains;
using PayApi.Providers;
using PayApi.Providers.Web;
using PayApi.Scraping;
using PayApi.Sandbox;
using PayApi.Storage.Sqlite;
using PayApi.Vault;

namespace PayApi.Host;

/// <summary>
/// Builds the one executable: an Orleans silo and the ASP.NET gateway in one process, plus the sandbox
/// providers when enabled. Tests build the same application in-process.
/// </summary>
public static class PayApiApp
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = builder.Configuration.GetSection("PayApi").Get<PayApiSettings>() ?? new PayApiSettings();
        var problems = settings.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new SettingsException("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
        }

        var dataDir = Path.GetFullPath(settings.DataDir);
        DataDirectory.Ensure(dataDir);
        var adminToken = AdminTokenFile.Resolve(settings.AdminToken, dataDir, out var adminTokenPath);

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = BodyLimits.TransportMaxBytes;
        });

        ConfigureLogging(builder);

        SandboxServer? sandbox = null;
        SandboxOptions? sandboxOptions = null;
        if (settings.SandboxEnabled)
        {
            sandboxOptions = builder.Configuration.GetSection("PayApi:Sandbox").Get<SandboxOptions>() ?? new SandboxOptions();
            sandbox = await SandboxServer.StartAsync(sandboxOptions, CancellationToken.None);
            builder.Services.AddSingleton(sandbox);
        }

        var databasePath = Path.Combine(dataDir, "payapi.db");
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(settings.Orleans.SiloPort, settings.Orleans.GatewayPort, null, settings.Orleans.ServiceId, settings.Orleans.ClusterId);
            silo.AddSqliteGrainStorage(StorageNames.Default, o => o.DatabasePath = databasePath);
            silo.UseSqliteReminderService(o => o.DatabasePath = databasePath);
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));

            // A connect can chain a browser login and an MFA step; calls must outlive one browser job.
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(3));
        });

        builder.Services.AddPayApiLocalVault(o =>
        {
            o.DataDir = dataDir;
            o.MasterKey = string.IsNullOrEmpty(settings.Vault.MasterKey) ? null : settings.Vault.MasterKey;
        });
        builder.Services.AddPayApiProviders();
        builder.Services.AddPayApiScraping(o => builder.Configuration.GetSection(ScraperOptions.SectionName).Bind(o), dataDir);
        if (sandbox is not null)
        {
            builder.Services.AddSandboxStripe(sandbox.StripeBaseAddress);
            // Keep-alives at half the bank's idle timeout (reminders fire at most once a minute).
            var keepAlive = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, sandboxOptions!.BankSessionIdleTimeout.Ticks / 2));
            builder.Services.AddSandboxBank(sandbox.BankBaseAddress, builder.Configuration.GetValue<TimeSpan?>("PayApi:Sandbox:BankCacheTtl"), keepAlive);
        }

        builder.Services.AddOptions<GrainOptions>().Bind(builder.Configuration.GetSection("PayApi:Grains"));
        builder.Services.AddPayApiGateway(
            o =>
            {
                o.AdminToken = adminToken;
                o.PublicUrl = settings.PublicUrl;
            },
            settings.RateLimit);

        customize?.Invoke(builder);

        var app = builder.Build();
        app.MapPayApiGateway();

        // Fail at start-up, not on the first request, when the master key is unusable.
        await app.Services.GetRequiredService<IKeyring>().ListVersionsAsync(CancellationToken.None);

        app.Lifetime.ApplicationStarted.Register(() => Banner.Print(app, adminTokenPath, sandbox));
        if (sandbox is not null)
        {
            app.Lifetime.ApplicationStopped.Register(() => sandbox.DisposeAsync().AsTask().GetAwaiter().GetResult());
        }

        return app;
    }

    /// <summary>The addresses the gateway really listens on (after port 0 is resolved).</summary>
    public static IReadOnlyList<string> ListeningAddresses(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.EnableRedaction();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });

        // Framework request logs print raw URLs (session capabilities, end-user ids); ours print route templates.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
    }
}
