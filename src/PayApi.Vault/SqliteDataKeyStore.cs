using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace PayApi.Vault;

/// <summary>
/// <see cref="IDataKeyStore"/> in its own SQLite file, <c>&lt;DataDir&gt;/keys.db</c>, separate from the
/// grain state database so the two are backed up and restored independently.
/// </summary>
public sealed class SqliteDataKeyStore : IDataKeyStore, IDisposable
{
    public const string FileName = "keys.db";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS data_keys (
            connection_id TEXT NOT NULL PRIMARY KEY,
            client_id     TEXT NOT NULL,
            key_id        TEXT NOT NULL,
            wrapped       TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS data_keys_by_key_id ON data_keys (key_id);
        """;

    private readonly string _path;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private volatile bool _initialized;

    public SqliteDataKeyStore(IOptions<VaultOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _path = Path.Combine(Path.GetFullPath(options.Value.DataDir), FileName);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
    }

    public async Task<string?> GetAsync(string connectionId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT wrapped FROM data_keys WHERE connection_id = $connection_id";
        command.Parameters.AddWithValue("$connection_id", connectionId);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async Task PutAsync(WrappedKeyRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.ConnectionId, nameof(record));
        ArgumentException.ThrowIfNullOrEmpty(record.ClientId, nameof(record));
        ArgumentException.ThrowIfNullOrEmpty(record.KeyId, nameof(record));
        ArgumentException.ThrowIfNullOrEmpty(record.Wrapped, nameof(record));

        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO data_keys (connection_id, client_id, key_id, wrapped)
            VALUES ($connection_id, $client_id, $key_id, $wrapped)
            ON CONFLICT (connection_id) DO UPDATE
            SET client_id = excluded.client_id, key_id = excluded.key_id, wrapped = excluded.wrapped
            """;
        command.Parameters.AddWithValue("$connection_id", record.ConnectionId);
        command.Parameters.AddWithValue("$client_id", record.ClientId);
        command.Parameters.AddWithValue("$key_id", record.KeyId);
        command.Parameters.AddWithValue("$wrapped", record.Wrapped);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> DeleteAsync(string connectionId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM data_keys WHERE connection_id = $connection_id";
        command.Parameters.AddWithValue("$connection_id", connectionId);
        var deleted = await command.ExecuteNonQueryAsync(ct) > 0;

        // Crypto-shredding: the old page images of the wrapped key must not linger in the WAL file.
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await checkpoint.ExecuteNonQueryAsync(ct);
        return deleted;
    }

    public async Task<IReadOnlyDictionary<string, long>> CountByKeyIdAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_id, COUNT(*) FROM data_keys GROUP BY key_id";
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    /// <remarks>Keyset paging by connection id; the cursor is the last connection id of the page.</remarks>
    public async Task<DataKeyPage> ListAsync(string? cursor, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT connection_id, client_id, key_id, wrapped FROM data_keys
            WHERE $after IS NULL OR connection_id > $after
            ORDER BY connection_id
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$after", (object?)cursor ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", limit);
        var records = new List<WrappedKeyRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            records.Add(new WrappedKeyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        // A short page is the last; a full one may be followed by an empty last page.
        return new DataKeyPage(records, records.Count == limit ? records[^1].ConnectionId : null);
    }

    public async Task<bool> ReplaceAsync(string connectionId, string expectedWrapped, string newKeyId, string newWrapped, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ArgumentException.ThrowIfNullOrEmpty(expectedWrapped);
        ArgumentException.ThrowIfNullOrEmpty(newKeyId);
        ArgumentException.ThrowIfNullOrEmpty(newWrapped);

        await using var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        // The wrapped value is the version check: a concurrent disconnect or re-wrap makes this a no-op.
        command.CommandText = """
            UPDATE data_keys SET key_id = $key_id, wrapped = $wrapped
            WHERE connection_id = $connection_id AND wrapped = $expected
            """;
        command.Parameters.AddWithValue("$connection_id", connectionId);
        command.Parameters.AddWithValue("$expected", expectedWrapped);
        command.Parameters.AddWithValue("$key_id", newKeyId);
        command.Parameters.AddWithValue("$wrapped", newWrapped);
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    public void Dispose() => _initGate.Dispose();

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        await EnsureInitializedAsync(ct);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            // FULL: a data key must be durable before any ciphertext under it is written elsewhere.
            // secure_delete: a deleted wrapped key is overwritten in the page, not merely unlinked.
            command.CommandText = "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON";
            await command.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task EnsureInitializedAsync(CancellationToken ct)
    {
        if (_initialized)
        {
            return;
        }

        await _initGate.WaitAsync(ct);
        try
        {
            if (_initialized)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            PayApi.Shared.PrivateFile.CreateIfMissing(_path);

            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            // WAL is persistent in the file, so setting it once here covers every later connection.
            command.CommandText = "PRAGMA journal_mode = WAL;" + Schema;
            await command.ExecuteNonQueryAsync(ct);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }
}
