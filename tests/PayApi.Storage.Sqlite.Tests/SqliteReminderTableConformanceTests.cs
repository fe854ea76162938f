using Microsoft.Extensions.Options;
using Orleans;
using PayApi.Storage.Conformance;

namespace PayApi.Storage.Sqlite.Tests;

/// <summary>Runs the shared reminder table contract against a real SQLite file.</summary>
public sealed class SqliteReminderTableConformanceTests : ReminderTableConformanceTests, IDisposable
{
    private readonly TempDatabase database = new();

    protected override async Task<IReminderTable> CreateTableAsync(ConformanceServices services)
    {
        var table = new SqliteReminderTable(
            Options.Create(new SqliteReminderOptions { DatabasePath = database.Path }),
            services.ClusterOptions,
            services.Logger<SqliteReminderTable>());
        await table.StartAsync();
        return table;
    }

    public void Dispose() => database.Dispose();
}
