using Microsoft.Data.Sqlite;
using PayApi.Storage.Sqlite;

namespace PayApi.ProviderData.Tests;

/// <summary>A fresh <c>provider-data.db</c> in a temporary folder per test.</summary>
internal sealed class SqliteFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "payapi-chunks-" + Guid.NewGuid().ToString("N"));

    public SqliteChunkStore NewStore() => new(System.IO.Path.Combine(Path, SqliteChunkStore.FileName));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

public sealed class SqliteChunkStoreTests : ChunkStoreContractTests
{
    private readonly SqliteFolder _folder = new();

    protected override Task<IChunkStore> CreateStoreAsync() => Task.FromResult<IChunkStore>(_folder.NewStore());

    public override Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteConnectionDataStoreTests : ConnectionDataStoreTests
{
    private readonly SqliteFolder _folder = new();

    protected override Task<IChunkStore> CreateStoreAsync() => Task.FromResult<IChunkStore>(_folder.NewStore());

    protected override IEnumerable<string> RawFolders() => [_folder.Path];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}
