using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using PayApi.Grains;
using PayApi.Grains.Webhooks;
using PayApi.Host;
using PayApi.Providers;
using PayApi.Scraping;
using PayApi.Storage.DynamoDB;

namespace PayApi.Cluster.Tests;

/// <summary>
/// Builds each TestingHost silo the way the host builds its own (<see cref="SiloSetup"/>): DynamoDB membership, grain
/// storage, reminders and data keys, the vault with a shared master key, the providers; and the test client on the
/// DynamoDB gateway list. Values come through the test cluster's properties.
/// </summary>
public sealed class DynamoDBSiloConfigurator : ISiloConfigurator, IClientBuilderConfigurator
{
    public const string ServiceUrlKey = "PayApiTest:DynamoDBServiceUrl";
    public const string TablePrefixKey = "PayApiTest:TablePrefix";
    public const string MasterKeyKey = "PayApiTest:MasterKey";
    public const string StripeUrlKey = "PayApiTest:StripeUrl";
    public const string DataRootKey = "PayApiTest:DataRoot";
    public const string RefreshIntervalKey = "PayApiTest:RefreshInterval";

    public void Configure(ISiloBuilder silo)
    {
        var config = silo.Configuration;
        var settings = Settings(config);
        var dataDir = Path.Combine(config[DataRootKey]!, config["SiloName"] ?? Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);

        silo.Services.AddOptions<DynamoDBOptions>().Configure(o => Copy(settings.DynamoDB, o));
        silo.UseDynamoDBClustering();
        SiloSetup.ConfigureStorage(silo, settings, dataDir);
        SiloSetup.ConfigureRuntime(silo, settings);
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        silo.Services.Configure<GrainOptions>(o => o.RefreshInterval = TimeSpan.Parse(config[RefreshIntervalKey]!, System.Globalization.CultureInfo.InvariantCulture));
        settings.Vault.MasterKey = config[MasterKeyKey];
        SiloSetup.AddVault(silo.Services, settings, dataDir);
        silo.Services.AddPayApiProviders();
        silo.Services.AddPayApiScraping(_ => { }, dataDir);
        silo.Services.AddPayApiWebhooks();
        silo.Services.AddSandboxStripe(new Uri(config[StripeUrlKey]!));
    }

    public void Configure(IConfiguration configuration, IClientBuilder client)
    {
        var settings = Settings(configuration);
        client.Services.AddOptions<DynamoDBOptions>().Configure(o => Copy(settings.DynamoDB, o));
        client.UseDynamoDBClustering();
        ClientSetup.ConfigureRuntime(client, settings);
    }

    private static PayApiSettings Settings(IConfiguration config) => new()
    {
        Storage = new() { Provider = "DynamoDB" },
        Clustering = new() { Provider = "DynamoDB" },
        DynamoDB = new DynamoDBOptions
        {
            ServiceUrl = config[ServiceUrlKey],
            TablePrefix = config[TablePrefixKey]!,
            MaxErrorRetry = 2,
            RequestTimeout = TimeSpan.FromSeconds(3),
        },
        Orleans = { ProbeTimeout = TimeSpan.FromSeconds(1), MissedProbesLimit = 2, FailoverRetryBudget = TimeSpan.FromSeconds(30) },
    };

    private static void Copy(DynamoDBOptions from, DynamoDBOptions to)
    {
        to.ServiceUrl = from.ServiceUrl;
        to.TablePrefix = from.TablePrefix;
        to.MaxErrorRetry = from.MaxErrorRetry;
        to.RequestTimeout = from.RequestTimeout;
    }
}
