using Orleans.TestingHost;
using Xunit;

namespace PayApi.Storage.Sqlite.Tests;

/// <summary>
/// A real silo on the SQLite file: state and reminders written by one cluster are read back by a
/// new cluster on the same file and service id.
/// </summary>
public sealed class SiloRestartTests : IDisposable
{
    private readonly TempDatabase database = new();
    private readonly string serviceId = "payapi-restart-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task State_and_reminders_survive_a_cluster_restart()
    {
        var cluster = await StartClusterAsync();
        try
        {
            var grain = cluster.Client.GetGrain<ISiloRestartGrain>("acct-1");
            await grain.Save(42, "cookie-jar");
            await grain.RegisterReminder("refresh");
            Assert.Equal(["refresh"], await grain.ReminderNames());
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }

        var restarted = await StartClusterAsync();
        try
        {
            var grain = restarted.Client.GetGrain<ISiloRestartGrain>("acct-1");
            var (counter, secret) = await grain.Load();
            Assert.Equal(42, counter);
            Assert.Equal("cookie-jar", secret);
            Assert.Equal(["refresh"], await grain.ReminderNames());
            Assert.Equal((0, string.Empty), await restarted.Client.GetGrain<ISiloRestartGrain>("never-written").Load());
        }
        finally
        {
            await restarted.StopAllSilosAsync();
            await restarted.DisposeAsync();
        }
    }

    public void Dispose() => database.Dispose();

    private async Task<InProcessTestCluster> StartClusterAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        var path = database.Path;
        builder.ConfigureSilo((_, silo) => silo
            .AddSqliteGrainStorageAsDefault(o => o.DatabasePath = path)
            .AddSqliteGrainStorage(SiloRestartGrain.NamedStorage, o => o.DatabasePath = path)
            .UseSqliteReminderService(o => o.DatabasePath = path));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
