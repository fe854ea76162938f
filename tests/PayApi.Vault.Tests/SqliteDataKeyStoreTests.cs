namespace PayApi.Vault.Tests;

public sealed class SqliteDataKeyStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Put_get_replace_delete_and_count()
    {
        using var store = Vault.Store(_dir.Path);
        Assert.Null(await store.GetAsync("conn_a", default));
        Assert.Empty(await store.CountByKeyIdAsync(default));

        await store.PutAsync(new WrappedKeyRecord("conn_a", "client_1", "local-1", "wrapped-a"), default);
        await store.PutAsync(new WrappedKeyRecord("conn_b", "client_1", "local-1", "wrapped-b"), default);
        await store.PutAsync(new WrappedKeyRecord("conn_c", "client_2", "local-2", "wrapped-c"), default);
        Assert.Equal("wrapped-a", await store.GetAsync("conn_a", default));

        // Put replaces the connection's record.
        await store.PutAsync(new WrappedKeyRecord("conn_a", "client_1", "local-1", "wrapped-a2"), default);
        Assert.Equal("wrapped-a2", await store.GetAsync("conn_a", default));

        Assert.Equal(new Dictionary<string, long> { ["local-1"] = 2, ["local-2"] = 1 }, await store.CountByKeyIdAsync(default));

        Assert.False(await store.ReplaceAsync("conn_b", "stale", "local-2", "wrapped-b2", default));
        Assert.True(await store.ReplaceAsync("conn_b", "wrapped-b", "local-2", "wrapped-b2", default));
        Assert.False(await store.ReplaceAsync("conn_missing", "x", "local-2", "y", default));
        Assert.Equal("wrapped-b2", await store.GetAsync("conn_b", default));
        Assert.Equal(new Dictionary<string, long> { ["local-1"] = 1, ["local-2"] = 2 }, await store.CountByKeyIdAsync(default));

        Assert.True(await store.DeleteAsync("conn_a", default));
        Assert.False(await store.DeleteAsync("conn_a", default));
        Assert.Null(await store.GetAsync("conn_a", default));
        Assert.Equal(new Dictionary<string, long> { ["local-2"] = 2 }, await store.CountByKeyIdAsync(default));
    }

    [Fact]
    public async Task Lists_in_pages_after_a_connection_id()
    {
        using var store = Vault.Store(_dir.Path);
        foreach (var id in new[] { "c3", "c1", "c5", "c2", "c4" })
        {
            await store.PutAsync(new WrappedKeyRecord(id, "client", "local-1", "w-" + id), default);
        }

        var first = await store.ListAsync(null, 2, default);
        var second = await store.ListAsync(first[^1].ConnectionId, 2, default);
        var third = await store.ListAsync(second[^1].ConnectionId, 2, default);

        Assert.Equal(["c1", "c2"], first.Select(r => r.ConnectionId));
        Assert.Equal(["c3", "c4"], second.Select(r => r.ConnectionId));
        Assert.Equal([new WrappedKeyRecord("c5", "client", "local-1", "w-c5")], third);
        Assert.Empty(await store.ListAsync("c5", 2, default));
    }

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

    [Fact]
    public async Task Values_are_parameters_not_sql()
    {
        using var store = Vault.Store(_dir.Path);
        const string hostile = "x'); DROP TABLE data_keys; --";
        await store.PutAsync(new WrappedKeyRecord(hostile, hostile, hostile, hostile), default);

        Assert.Equal(hostile, await store.GetAsync(hostile, default));
        Assert.Equal(1, (await store.CountByKeyIdAsync(default))[hostile]);
    }
}
