namespace PayApi.Vault.Tests;

/// <summary>The shared data key store contract on <c>keys.db</c>, and what is particular to the file.</summary>
public sealed class SqliteDataKeyStoreTests : DataKeyStoreContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    protected override Task<IDataKeyStore> CreateStoreAsync() => Task.FromResult<IDataKeyStore>(Vault.Store(_dir.Path));

    [Fact]
    public async Task Persists_in_its_own_private_wal_file()
    {
        using (var store = Vault.Store(_dir.Path))
        {
            await store.PutAsync(new WrappedKeyRecord("conn", "client", "local-1", "w"), default);
        }

        using var reopened = Vault.Store(_dir.Path);
        Assert.Equal("w", await reopened.GetAsync("conn", default));

        var path = Path.Combine(_dir.Path, "keys.db");
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync() as string);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }
}
