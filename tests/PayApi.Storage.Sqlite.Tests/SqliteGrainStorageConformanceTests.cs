using Orleans.Storage;
using PayApi.Storage.Conformance;

namespace PayApi.Storage.Sqlite.Tests;

/// <summary>Runs the shared grain storage contract against a real SQLite file.</summary>
public sealed class SqliteGrainStorageConformanceTests : GrainStorageConformanceTests, IDisposable
{
    private readonly TempDatabase database = new();

    protected override async Task<IGrainStorage> CreateStorageAsync(ConformanceServices services)
    {
        var storage = new SqliteGrainStorage(
            "conformance",
            new SqliteStorageOptions { DatabasePath = database.Path, GrainStorageSerializer = services.GrainStorageSerializer },
            services.ClusterOptions,
            services.ActivatorProvider,
            services.Logger<SqliteGrainStorage>());
        await storage.InitializeAsync(CancellationToken.None);
        return storage;
    }

    public void Dispose() => database.Dispose();
}
