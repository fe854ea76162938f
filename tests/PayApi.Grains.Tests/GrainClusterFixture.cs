using PayApi.Scraping;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.TestingHost;
using PayApi.Grains;
using PayApi.Grains.Webhooks;
using PayApi.Providers;
using PayApi.Sandbox;
using PayApi.Storage.Sqlite;
using PayApi.Vault;
using Xunit;

namespace PayApi.Grains.Tests;

/// <summary>
/// One real silo configured like the host: SQLite grain storage and reminders, the local vault and the
/// sandbox Stripe provider against a real sandbox server, all in a fresh temp dir. Grain time is a
/// <see cref="FakeTimeProvider"/> so lifetimes can be crossed without sleeping.
/// </summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    public GrainClusterFixture()
    {
        DataDir = Path.Combine(Path.GetTempPath(), "payapi-grains-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDir);
    }

    /// <summary>Starts at the real current time so nothing looks odd to the provider or the storage.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public string DataDir { get; }

    public string DatabasePath => Path.Combine(DataDir, "payapi.db");

    public string KeysPath => Path.Combine(DataDir, SqliteDataKeyStore.FileName);

    public SandboxServer Sandbox { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public IServiceProvider SiloServices => Cluster.Silos[0].ServiceProvider;

    public async Task InitializeAsync()
    {
        Sandbox = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);

        var time = Time;
        var dataDir = DataDir;
        var databasePath = DatabasePath;
        var stripe = Sandbox.StripeBaseAddress;

        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "payapi-grains-" + Guid.NewGuid().ToString("N");
        builder.ConfigureSilo((_, silo) =>
        {
            // Before the vault, whose TryAddSingleton(TimeProvider.System) must not win.
            silo.Services.AddSingleton<TimeProvider>(time);
            // Only grains run on the test clock: advancing it must not fire every earlier test's reminders or
            // drive the runtime's own loops (message timeouts, activation collection, membership).
            silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            silo.AddSqliteGrainStorage(StorageNames.Default, o => o.DatabasePath = databasePath);
            silo.UseSqliteReminderService(o => o.DatabasePath = databasePath);
            silo.Services.AddSqliteChunkStore(Path.Combine(dataDir, SqliteChunkStore.FileName));
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(30));
            silo.Services.AddPayApiLocalVault(o => o.DataDir = dataDir);
            silo.Services.AddPayApiProviders();
            silo.Services.AddPayApiScraping(_ => { }, dataDir);
            silo.Services.AddPayApiWebhooks(o => o.AllowInsecureTargets = true);
            silo.Services.AddSandboxStripe(stripe);
        });

        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }
        finally
        {
            await Sandbox.DisposeAsync();
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS temp cleaner.
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainClusterFixture>
{
    public const string Name = "grain cluster";
}
