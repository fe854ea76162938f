using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Compliance.Redaction;
using PayApi.Gateway;
using PayApi.Gateway.Http;
using PayApi.Grains;
using PayApi.Grains.Webhooks;
using PayApi.ProviderData;
using PayApi.Providers;
using PayApi.Providers.Configuration;
using PayApi.Providers.Web;
using PayApi.Scraping;
using PayApi.Sandbox;
using PayApi.Gateway.Endpoints;
using PayApi.Storage.DynamoDB;
using PayApi.Storage.S3;
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
        // appsettings.<environment>.json sit beside the executable, wherever it is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var settings = builder.Configuration.GetSection("PayApi").Get<PayApiSettings>() ?? new PayApiSettings();
        var problems = settings.Problems().ToList();

        // Only silos run providers; a gateway lists them from the silos and needs none of their configuration.
        var providers = settings.ParsedRole == HostRole.Gateway ? null : ProviderConfiguration.Read(builder.Configuration);
        problems.AddRange(providers?.Problems ?? []);
        if (problems.Count > 0)
        {
            throw new SettingsException("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
        }

        var role = settings.ParsedRole;
        var dataDir = Path.GetFullPath(settings.DataDir);
        DataDirectory.Ensure(dataDir);
        var adminToken = AdminTokenFile.Resolve(settings.AdminToken, dataDir, out var adminTokenPath);

        var urls = builder.Configuration["urls"] is { Length: > 0 } configured ? configured
            : builder.Configuration["ASPNETCORE_URLS"] is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        if (urls is null)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = BodyLimits.TransportMaxBytes;
        });

        // SIGTERM (how ECS stops a task): in-flight requests finish, then the silo hands its grains and reminders over.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Orleans.ShutdownTimeout);
        builder.Services.AddOptions<DynamoDBOptions>().Bind(builder.Configuration.GetSection("PayApi:DynamoDB"));
        builder.Services.AddOptions<GrainOptions>().Bind(builder.Configuration.GetSection("PayApi:Grains"));
        builder.Services.AddOptions<ProviderDataOptions>().Bind(builder.Configuration.GetSection("PayApi:ProviderData"));
        builder.Services.AddOptions<PayApi.Grains.Sync.SyncOptions>().Bind(builder.Configuration.GetSection("PayApi:Sync"));
        builder.Services.AddOptions<PayApi.Gateway.Usage.UsageOptions>().Bind(builder.Configuration.GetSection("PayApi:Usage"));

        ConfigureLogging(builder);
        var telemetry = OpenTelemetrySetup.Add(builder);
        var dashboard = OpsDashboard.IsEnabled(builder.Configuration);

        SandboxServer? sandbox = null;
        var clusterCertificate = ClusterTls.Load(settings.Orleans.Tls);
        IPAddress? advertisedIp = null;
        if (role == HostRole.Gateway)
        {
            PortCheck.EnsureFree((urls ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), null, 0, 0);
            builder.UseOrleansClient(client =>
            {
                ClientSetup.Configure(client, settings, clusterCertificate);
                if (telemetry)
                {
                    client.AddActivityPropagation();
                }

                if (dashboard)
                {
                    OpsDashboard.Configure(client);
                }
            });
        }
        else
        {
            advertisedIp = await AdvertisedAddress.ResolveAsync(
                settings.Orleans.AdvertisedIp, Environment.GetEnvironmentVariable(AdvertisedAddress.MetadataVariable), CancellationToken.None);
            PortCheck.EnsureFree((urls ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), advertisedIp, settings.Orleans.SiloPort, settings.Orleans.GatewayPort);
            builder.UseOrleans(silo =>
            {
                SiloSetup.Configure(silo, settings, dataDir, advertisedIp, clusterCertificate);
                if (telemetry)
                {
                    silo.AddActivityPropagation();
                }

                if (dashboard)
                {
                    OpsDashboard.Configure(silo);
                }
            });
            sandbox = await AddSiloServicesAsync(builder, settings, dataDir, providers!.Providers);
        }

        if (role != HostRole.Silo)
        {
            builder.Services.AddPayApiGateway(
                o =>
                {
                    o.AdminToken = adminToken;
                    o.PublicUrl = settings.PublicUrl;
                },
                settings.RateLimit,
                settings.Network);
        }

        customize?.Invoke(builder);

        var app = builder.Build();
        if (settings.UsesDynamoDBClustering && clusterCertificate is null && advertisedIp is not null && !IPAddress.IsLoopback(advertisedIp))
        {
            // Whoever reaches the silo and gateway ports can join as a client and call any grain.
            app.Logger.LogWarning(
                "This silo listens on {Address} without TLS: only the cluster's own members must reach ports {SiloPort} and {GatewayPort} (a private network or security group), or set PayApi:Orleans:Tls:CertificatePath.",
                advertisedIp, settings.Orleans.SiloPort, settings.Orleans.GatewayPort);
        }

        if (role == HostRole.Silo)
        {
            app.UseMiddleware<ProblemMiddleware>();
            app.MapHealth();
        }
        else
        {
            app.MapPayApiGateway();
            if (dashboard)
            {
                OpsDashboard.Map(app);
            }
        }

        if (role != HostRole.Gateway)
        {
            // Fail at start-up, not on the first request, when the master key is unusable. KMS being unreachable for now is
            // not that: the silo starts, and calls that need a key answer 503 until KMS is back.
            try
            {
                await app.Services.GetRequiredService<IKeyring>().ListVersionsAsync(CancellationToken.None);
            }
            catch (PayApi.Vault.Kms.KmsUnavailableException e)
            {
                app.Logger.LogWarning("KMS is not reachable at start ({Reason}); calls that need a data key answer 503 until it is.", e.Message);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException or InvalidOperationException && !settings.UsesKms)
            {
                // master.key unreadable (owner, mode) or malformed: the message names the file and line, never key material.
                throw new SettingsException(
                    $"the local master key cannot be read: {e.Message.TrimEnd('.')}. Fix the file's owner and mode (0600, this user), or set PayApi:Vault:MasterKey.");
            }
        }

        var sandboxLine = !settings.SandboxEnabled ? "off"
            : sandbox is null ? $"on (the sandbox site at {settings.Sandbox.Url})"
            : $"on (sandbox-stripe at {sandbox.StripeBaseAddress}, sandbox-bank at {sandbox.BankBaseAddress})";
        app.Lifetime.ApplicationStarted.Register(() => Banner.Print(app, adminTokenPath, sandboxLine, role));
        if (sandbox is not null)
        {
            app.Lifetime.ApplicationStopped.Register(() => sandbox.DisposeAsync().AsTask().GetAwaiter().GetResult());
        }

        return app;
    }

    // What a silo process runs besides Orleans: the vault, the configured providers, the browser pool, the sandbox sites.
    private static async Task<SandboxServer?> AddSiloServicesAsync(
        WebApplicationBuilder builder, PayApiSettings settings, string dataDir, IReadOnlyList<ProviderDeclaration> providers)
    {
        SiloSetup.AddVault(builder.Services, settings, dataDir);
        builder.Services.AddConfiguredProviders(providers);
        builder.Services.AddPayApiScraping(o => builder.Configuration.GetSection(ScraperOptions.SectionName).Bind(o), dataDir);
        builder.Services.AddPayApiWebhooks(o =>
        {
            // Insecure (http, loopback) targets follow the sandbox unless set: a development host posts to a local receiver.
            o.AllowInsecureTargets = settings.SandboxEnabled;
            builder.Configuration.GetSection(WebhookOptions.SectionName).Bind(o);
        });
        if (settings.UsesS3)
        {
            // Failure bundles in S3; with DynamoDB storage, provider data chunks too large for an item go beside them.
            var bucket = settings.S3Settings().Bucket;
            void ConfigureS3(S3Options o)
            {
                builder.Configuration.GetSection("PayApi:S3").Bind(o);
                o.Bucket = bucket;
            }

            builder.Services.AddS3ArtifactStore(ConfigureS3);
            if (settings.UsesDynamoDBStorage)
            {
                builder.Services.AddS3ChunkObjectStore(ConfigureS3);
            }
        }
        if (!settings.SandboxEnabled)
        {
            return null;
        }

        var sandboxOptions = builder.Configuration.GetSection("PayApi:Sandbox").Get<SandboxOptions>() ?? new SandboxOptions();
        SandboxServer? sandbox = null;
        Uri stripeBase, bankBase;
        if (settings.Sandbox.Url is { Length: > 0 } url)
        {
            var root = new Uri(url.EndsWith('/') ? url : url + "/");
            stripeBase = new Uri(root, sandboxOptions.StripePathPrefix.Trim('/') + "/");
            bankBase = new Uri(root, sandboxOptions.BankPathPrefix.Trim('/') + "/");
        }
        else
        {
            sandbox = await SandboxServer.StartAsync(sandboxOptions, CancellationToken.None);
            builder.Services.AddSingleton(sandbox);
            (stripeBase, bankBase) = (sandbox.StripeBaseAddress, sandbox.BankBaseAddress);
        }

        var minRefreshInterval = builder.Configuration.GetValue<TimeSpan?>("PayApi:Sandbox:MinRefreshInterval");
        builder.Services.AddSandboxStripe(stripeBase, minRefreshInterval);
        // Keep-alives at half the bank's idle timeout (reminders fire at most once a minute).
        var keepAlive = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, sandboxOptions.BankSessionIdleTimeout.Ticks / 2));
        builder.Services.AddSandboxBank(bankBase, builder.Configuration.GetValue<TimeSpan?>("PayApi:Sandbox:BankCacheTtl"), keepAlive, minRefreshInterval);
        return sandbox;
    }

    /// <summary>The addresses the gateway really listens on (after port 0 is resolved).</summary>
    public static IReadOnlyList<string> ListeningAddresses(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.EnableRedaction();
        // Our console logger in place of the framework's (see LineConsoleLoggerProvider for why); other providers stay.
        foreach (var console in builder.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider)).ToList())
        {
            builder.Services.Remove(console);
        }

        builder.Services.AddSingleton<ILoggerProvider, Logging.LineConsoleLoggerProvider>();

        // Framework request logs print raw URLs (session capabilities, end-user ids); ours print route templates.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        // "Hosting failed to start" comes with a stack trace; Program prints the one line that names the cause instead.
        // (A background service stopping the host is Critical and still logged.)
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
    }
}
