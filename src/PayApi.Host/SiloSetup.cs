using System.Net;
using System.Security.Cryptography.X509Certificates;
using Orleans.Configuration;
using PayApi.Gateway.Cluster;
using PayApi.Grains;
using PayApi.Storage.DynamoDB;
using PayApi.Storage.Sqlite;
using PayApi.Vault;
using PayApi.Vault.Kms;

namespace PayApi.Host;

/// <summary>
/// How a PayApi silo is put together from the settings: clustering (one machine, or a DynamoDB membership table),
/// grain storage and reminders (SQLite or DynamoDB), failure detection, call timeouts and shutdown. The host and
/// the TestingHost cluster tests both build silos through it.
/// </summary>
public static class SiloSetup
{
    /// <summary>How long one grain call may take: a connect can chain a browser login and an MFA step.</summary>
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMinutes(3);

    public static void Configure(ISiloBuilder silo, PayApiSettings settings, string dataDir, IPAddress advertisedIp, X509Certificate2? clusterCertificate)
    {
        ConfigureClustering(silo, settings, advertisedIp);
        if (clusterCertificate is not null)
        {
            silo.UseTls(clusterCertificate, o => ClusterTls.Configure(o, clusterCertificate));
        }

        ConfigureStorage(silo, settings, dataDir);
        ConfigureRuntime(silo, settings);
    }

    public static void ConfigureClustering(ISiloBuilder silo, PayApiSettings settings, IPAddress advertisedIp)
    {
        var orleans = settings.Orleans;
        if (!settings.UsesDynamoDBClustering)
        {
            silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, null, orleans.ServiceId, orleans.ClusterId);
            return;
        }

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = orleans.ClusterId;
            o.ServiceId = orleans.ServiceId;
        });
        // Listen on every interface when other machines must reach us; on loopback only for a cluster on one machine.
        silo.ConfigureEndpoints(advertisedIp, orleans.SiloPort, orleans.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertisedIp));
        silo.UseDynamoDBClustering();
    }

    /// <summary>
    /// Grain state and reminders (SQLite or DynamoDB), and beside them the provider data chunks: <c>provider-data.db</c>,
    /// or a DynamoDB table whose large chunks are S3 objects when S3 is configured.
    /// </summary>
    public static void ConfigureStorage(ISiloBuilder silo, PayApiSettings settings, string dataDir)
    {
        if (settings.UsesDynamoDBStorage)
        {
            silo.AddDynamoDBGrainStorage(StorageNames.Default);
            silo.UseDynamoDBReminderService();
            silo.Services.AddDynamoDBChunkStore();
            return;
        }

        var databasePath = Path.Combine(dataDir, "payapi.db");
        silo.AddSqliteGrainStorage(StorageNames.Default, o => o.DatabasePath = databasePath);
        silo.UseSqliteReminderService(o => o.DatabasePath = databasePath);
        silo.Services.AddSqliteChunkStore(Path.Combine(dataDir, SqliteChunkStore.FileName));
    }

    /// <summary>
    /// The vault: the KMS keyring or the local one (a cluster's silos share the configured key and use no data dir) and the wrapped
    /// data keys beside the grain state's store, apart from it: <c>keys.db</c>, or their own DynamoDB table.
    /// </summary>
    public static void AddVault(IServiceCollection services, PayApiSettings settings, string dataDir)
    {
        services.AddPayApiLocalVault(o =>
        {
            o.DataDir = dataDir;
            o.MasterKey = string.IsNullOrEmpty(settings.Vault.MasterKey) ? null : settings.Vault.MasterKey;
            o.UseDataDir = !settings.UsesDynamoDBClustering;
        });
        if (settings.UsesKms)
        {
            // Data keys from KMS; the local keyring stays only to unwrap keys from before the move (rewrap moves them).
            services.AddPayApiKmsKeyring(o =>
            {
                var kms = settings.Kms;
                o.KeyId = kms.KeyId;
                o.ServiceUrl = kms.ServiceUrl;
                o.Region = kms.Region;
                o.MaxErrorRetry = kms.MaxErrorRetry;
                o.RequestTimeout = kms.RequestTimeout;
            });
        }

        if (settings.UsesDynamoDBStorage)
        {
            services.AddDynamoDBDataKeyStore();
        }
    }

    public static void ConfigureRuntime(ISiloBuilder silo, PayApiSettings settings)
    {
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);

        // How fast a dead silo is noticed: until then, calls to its grains are refused (and reads are retried).
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = settings.Orleans.ProbeTimeout;
            o.NumMissedProbesLimit = settings.Orleans.MissedProbesLimit;
        });

        silo.Services.Configure<FailoverOptions>(o => o.RetryBudget = settings.Orleans.FailoverRetryBudget);
        silo.AddOutgoingGrainCallFilter<FailoverRetryFilter>();
        silo.AddIncomingGrainCallFilter<StartOverAfterFailure>();
    }
}
