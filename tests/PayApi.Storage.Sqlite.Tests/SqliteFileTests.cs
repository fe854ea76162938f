using System.Text;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using PayApi.Storage.Conformance;
using Xunit;

namespace PayApi.Storage.Sqlite.Tests;

/// <summary>What the SQLite backend promises beyond Orleans' contract: the file itself.</summary>
public sealed class SqliteFileTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase database = new();
    private readonly ConformanceServices services = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await services.DisposeAsync();

    public void Dispose() => database.Dispose();

    [Fact]
    public async Task Cleared_state_bytes_are_gone_from_the_database_files()
    {
        var storage = await CreateStorageAsync();
        var grainId = GrainId.Create("shred", "one");
        var marker = "SECRET-" + Guid.NewGuid().ToString("N");
        var state = new GrainState<ConformanceState> { State = new ConformanceState { Text = marker } };
        await storage.WriteStateAsync("secrets", grainId, state);
        // A second version leaves an older page image behind too.
        state.State.Items.Add("v2");
        await storage.WriteStateAsync("secrets", grainId, state);
        Assert.True(FilesContain(Encoding.UTF8.GetBytes(marker)), "the marker should be on disk before the clear; the check is meaningless otherwise");

        await storage.ClearStateAsync("secrets", grainId, state);

        Assert.False(FilesContain(Encoding.UTF8.GetBytes(marker)));
    }

    [Fact]
    public async Task Grain_storage_and_reminders_share_one_file()
    {
        var storage = await CreateStorageAsync();
        var table = new SqliteReminderTable(
            Microsoft.Extensions.Options.Options.Create(new SqliteReminderOptions { DatabasePath = database.Path }),
            services.ClusterOptions,
            services.Logger<SqliteReminderTable>());
        await table.StartAsync();
        var grainId = GrainId.Create("shared", "one");

        await storage.WriteStateAsync("s", grainId, new GrainState<ConformanceState> { State = new ConformanceState { Counter = 3 } });
        await table.UpsertRow(new ReminderEntry { GrainId = grainId, ReminderName = "r", StartAt = DateTime.UtcNow, Period = TimeSpan.FromMinutes(1) });

        var read = new GrainState<ConformanceState>();
        await storage.ReadStateAsync("s", grainId, read);
        Assert.Equal(3, read.State!.Counter);
        Assert.Single((await table.ReadRows(grainId)).Reminders);
        Assert.Single(System.IO.Directory.GetFiles(Path.GetDirectoryName(database.Path)!, "*.db"));
    }

    [Theory]
    [InlineData(null, null, "set exactly one of SqliteStorageOptions.DatabasePath")]
    [InlineData("Data Source=x.db", "y.db", "both are set")]
    [InlineData("Data Source=:memory:", null, "in-memory SQLite is not durable")]
    [InlineData("Data Source=x.db;Mode=ReadOnly", null, "read-only")]
    [InlineData("Nonsense Keyword=1", null, "SqliteStorageOptions.ConnectionString is not a valid")]
    public void Unusable_options_are_refused_naming_the_setting(string? connectionString, string? path, string expected)
    {
        var ex = Assert.Throws<OrleansConfigurationException>(() => new SqliteGrainStorage(
            "bad",
            new SqliteStorageOptions { ConnectionString = connectionString, DatabasePath = path, GrainStorageSerializer = services.GrainStorageSerializer },
            services.ClusterOptions,
            services.ActivatorProvider,
            services.Logger<SqliteGrainStorage>()));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("grain storage 'bad'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reminder_options_without_a_database_are_refused_naming_the_setting()
    {
        var ex = Assert.Throws<OrleansConfigurationException>(() => new SqliteReminderTable(
            Microsoft.Extensions.Options.Options.Create(new SqliteReminderOptions()),
            services.ClusterOptions,
            services.Logger<SqliteReminderTable>()));

        Assert.Contains("SqliteReminderOptions.DatabasePath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_serializer_is_refused_naming_the_setting()
    {
        var ex = Assert.Throws<OrleansConfigurationException>(() => new SqliteGrainStorage(
            "noserializer",
            new SqliteStorageOptions { DatabasePath = database.Path },
            services.ClusterOptions,
            services.ActivatorProvider,
            services.Logger<SqliteGrainStorage>()));

        Assert.Contains("GrainStorageSerializer", ex.Message, StringComparison.Ordinal);
    }

    private async Task<SqliteGrainStorage> CreateStorageAsync()
    {
        var storage = new SqliteGrainStorage(
            "file-tests",
            new SqliteStorageOptions { DatabasePath = database.Path, GrainStorageSerializer = services.GrainStorageSerializer },
            services.ClusterOptions,
            services.ActivatorProvider,
            services.Logger<SqliteGrainStorage>());
        await storage.InitializeAsync(CancellationToken.None);
        return storage;
    }

    private bool FilesContain(byte[] needle)
    {
        foreach (var file in System.IO.Directory.GetFiles(Path.GetDirectoryName(database.Path)!))
        {
            // FileShare.ReadWrite: SQLite still holds the files open.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            if (copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
