using Microsoft.Data.Sqlite;
using PayApi.ProviderData;

namespace PayApi.Storage.Sqlite;

/// <summary>
/// <see cref="IChunkStore"/> in its own SQLite file (<c>&lt;DataDir&gt;/provider-data.db</c>), apart from grain
/// state, so a connection's history never bloats the file every grain activation reads from.
/// </summary>
public sealed class SqliteChunkStore : IChunkStore, IDisposable
{
    public const string FileName = "provider-data.db";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS chunks (
            connection_id TEXT NOT NULL,
            name          TEXT NOT NULL,
            sealed        TEXT NOT NULL,
            PRIMARY KEY (connection_id, name)
        ) WITHOUT ROWID;
        """;

    private readonly SqliteDatabase _database;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    public SqliteChunkStore(string databasePath)
    {
        _database = SqliteDatabase.Create(null, databasePath, nameof(SqliteChunkStore), "provider data");
    }

    public async Task PutAsync(string connectionId, string name, string sealedChunk, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ChunkName.Validate(name);
        ArgumentException.ThrowIfNullOrEmpty(sealedChunk);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO chunks (connection_id, name, sealed) VALUES ($connection_id, $name, $sealed)
            ON CONFLICT (connection_id, name) DO UPDATE SET sealed = excluded.sealed
            """;
        command.Parameters.AddWithValue("$connection_id", connectionId);
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$sealed", sealedChunk);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<string?> GetAsync(string connectionId, string name, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ChunkName.Validate(name);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sealed FROM chunks WHERE connection_id = $connection_id AND name = $name";
        command.Parameters.AddWithValue("$connection_id", connectionId);
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async Task<IReadOnlyList<string>> ListAsync(string connectionId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM chunks WHERE connection_id = $connection_id";
        command.Parameters.AddWithValue("$connection_id", connectionId);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public async Task DeleteAsync(string connectionId, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ArgumentNullException.ThrowIfNull(names);
        await using var connection = await OpenAsync(ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM chunks WHERE connection_id = $connection_id AND name = $name";
        var id = command.Parameters.Add("$connection_id", SqliteType.Text);
        var name = command.Parameters.Add("$name", SqliteType.Text);
        id.Value = connectionId;
        foreach (var each in names)
        {
            name.Value = each;
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    public async Task<int> DeleteAllAsync(string connectionId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM chunks WHERE connection_id = $connection_id";
        command.Parameters.AddWithValue("$connection_id", connectionId);
        var deleted = await command.ExecuteNonQueryAsync(ct);

        // A disconnect leaves nothing of the connection in the files: secure_delete zeroed the pages, and the old page
        // images must not linger in the WAL either.
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync(ct);
        return deleted;
    }

    public void Dispose() => _initGate.Dispose();

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        if (!_initialized)
        {
            await _initGate.WaitAsync(ct);
            try
            {
                if (!_initialized)
                {
                    await _database.EnsureSchemaAsync(Schema, ct);
                    _initialized = true;
                }
            }
            finally
            {
                _initGate.Release();
            }
        }

        return await _database.OpenAsync(ct);
    }
}
