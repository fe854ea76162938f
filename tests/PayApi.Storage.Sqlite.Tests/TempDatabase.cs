using Microsoft.Data.Sqlite;

namespace PayApi.Storage.Sqlite.Tests;

/// <summary>A database path in a fresh temporary directory, removed when the test ends.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "payapi-sqlite-tests", Guid.NewGuid().ToString("N"));
        // A missing sub-directory checks that the storage creates the folder itself.
        Path = System.IO.Path.Combine(Directory, "data", "payapi.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the directory can go.
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner; a leftover temp file must not fail the test.
        }
    }
}
