using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace PayApi.Storage.Sqlite;

/// <summary>
/// Orleans grain storage in one SQLite file. Rows are keyed by (service id, state name, grain id).
/// </summary>
/// <remarks>
/// ETags follow Orleans' optimistic concurrency rules: a null ETag means "insert only if absent",
/// any other ETag must match the stored one or <see cref="InconsistentStateException"/> is thrown
/// and nothing changes. Clearing deletes the row (rather than keeping a tombstone) so that cleared
/// secrets are gone from the file; with <c>secure_delete</c> the freed bytes are zeroed and a WAL
/// checkpoint after the delete removes the old page images from the write-ahead log.
/// Each write gets a fresh random ETag rather than a per-row counter: a counter restarts after a
/// delete, so an ETag held from before a clear could match a re-created row.
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS orleans_grain_state (
            service_id   TEXT    NOT NULL,
            state_name   TEXT    NOT NULL,
            grain_id     TEXT    NOT NULL,
            payload      BLOB    NOT NULL,
            etag         TEXT    NOT NULL,
            version      INTEGER NOT NULL,
            modified_utc TEXT    NOT NULL,
            PRIMARY KEY (service_id, state_name, grain_id)
        ) WITHOUT ROWID;
        """;

    private const string SelectSql = """
        SELECT payload, etag FROM orleans_grain_state
        WHERE service_id = $service AND state_name = $state AND grain_id = $grain;
        """;

    private const string SelectETagSql = """
        SELECT etag FROM orleans_grain_state
        WHERE service_id = $service AND state_name = $state AND grain_id = $grain;
        """;

    // A single statement is atomic in SQLite, so "insert if absent" needs no transaction.
    private const string InsertSql = """
        INSERT INTO orleans_grain_state (service_id, state_name, grain_id, payload, etag, version, modified_utc)
        VALUES ($service, $state, $grain, $payload, $newEtag, 1, $now)
        ON CONFLICT (service_id, state_name, grain_id) DO NOTHING;
        """;

    private const string UpdateSql = """
        UPDATE orleans_grain_state
        SET payload = $payload, etag = $newEtag, version = version + 1, modified_utc = $now
        WHERE service_id = $service AND state_name = $state AND grain_id = $grain AND etag = $etag;
        """;

    private const string DeleteSql = """
        DELETE FROM orleans_grain_state
        WHERE service_id = $service AND state_name = $state AND grain_id = $grain AND etag = $etag;
        """;

    private readonly string name;
    private readonly string serviceId;
    private readonly SqliteDatabase database;
    private readonly IGrainStorageSerializer serializer;
    private readonly IActivatorProvider activatorProvider;
    private readonly ILogger<SqliteGrainStorage> logger;
    private readonly TimeProvider timeProvider;

    /// <summary>Creates the storage; call <see cref="InitializeAsync"/> (the silo lifecycle does) before use.</summary>
    public SqliteGrainStorage(
        string name,
        SqliteStorageOptions options,
        IOptions<ClusterOptions> clusterOptions,
        IActivatorProvider activatorProvider,
        ILogger<SqliteGrainStorage> logger,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        this.name = name;
        database = SqliteDatabase.Create(options.ConnectionString, options.DatabasePath, nameof(SqliteStorageOptions), $"grain storage '{name}'");
        serializer = options.GrainStorageSerializer ?? throw new OrleansConfigurationException(
            $"{nameof(SqliteStorageOptions)} for grain storage '{name}': {nameof(SqliteStorageOptions.GrainStorageSerializer)} is not set.");
        serviceId = clusterOptions.Value.ServiceId ?? throw new OrleansConfigurationException(
            $"{nameof(ClusterOptions)}.{nameof(ClusterOptions.ServiceId)} must be set: it scopes the stored grain state.");
        this.activatorProvider = activatorProvider ?? throw new ArgumentNullException(nameof(activatorProvider));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Factory used by the hosting extensions: resolves the named options from the container.</summary>
    internal static SqliteGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(name);
        return ActivatorUtilities.CreateInstance<SqliteGrainStorage>(services, name, options);
    }

    /// <summary>Creates the file, WAL mode and the table if they do not exist yet.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await database.EnsureSchemaAsync(Schema, cancellationToken);
        LogInitialized(logger, name, database.DataSource);
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        // ApplicationServices is where Orleans' own storage providers initialize: before any grain activates.
        lifecycle.Subscribe(OptionFormattingUtilities.Name<SqliteGrainStorage>(name), ServiceLifecycleStage.ApplicationServices, InitializeAsync);
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = CreateCommand(connection, SelectSql, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            var payload = (byte[])reader.GetValue(0);
            grainState.State = serializer.Deserialize<T>(new BinaryData(payload));
            grainState.ETag = reader.GetString(1);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = activatorProvider.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var newETag = Guid.NewGuid().ToString("N");
        var expectedETag = grainState.ETag;

        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = CreateCommand(connection, expectedETag is null ? InsertSql : UpdateSql, stateName, grainId);
        command.Parameters.AddWithValue("$payload", payload);
        command.Parameters.AddWithValue("$newEtag", newETag);
        command.Parameters.AddWithValue("$now", timeProvider.GetUtcNow().ToString("O"));
        if (expectedETag is not null)
        {
            command.Parameters.AddWithValue("$etag", expectedETag);
        }

        if (await command.ExecuteNonQueryAsync() == 0)
        {
            throw await InconsistentAsync(connection, "write", stateName, grainId, expectedETag);
        }

        grainState.ETag = newETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expectedETag = grainState.ETag;
        await using var connection = await database.OpenAsync(CancellationToken.None);
        if (expectedETag is null)
        {
            // A null ETag claims there is nothing stored: fine if true, a conflict if a row exists.
            if (await ReadStoredETagAsync(connection, stateName, grainId) is not null)
            {
                throw await InconsistentAsync(connection, "clear", stateName, grainId, expectedETag);
            }
        }
        else
        {
            await using var command = CreateCommand(connection, DeleteSql, stateName, grainId);
            command.Parameters.AddWithValue("$etag", expectedETag);
            if (await command.ExecuteNonQueryAsync() == 0)
            {
                throw await InconsistentAsync(connection, "clear", stateName, grainId, expectedETag);
            }

            await CheckpointAsync(connection);
        }

        grainState.State = activatorProvider.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    // Moves committed pages (with the deleted bytes zeroed) into the main file and truncates the
    // WAL, so the deleted payload does not linger in the log. Best effort: with concurrent
    // readers SQLite may checkpoint only partially, and the next checkpoint finishes the job.
    private async Task CheckpointAsync(SqliteConnection connection)
    {
        try
        {
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }
        catch (SqliteException ex)
        {
            LogCheckpointFailed(logger, ex, name);
        }
    }

    private async Task<InconsistentStateException> InconsistentAsync(
        SqliteConnection connection, string operation, string stateName, GrainId grainId, string? expectedETag)
    {
        var storedETag = await ReadStoredETagAsync(connection, stateName, grainId);
        return new InconsistentStateException(
            $"ETag mismatch on {operation} of state '{stateName}' for grain {grainId} in SQLite storage '{name}': " +
            $"stored {storedETag ?? "<none>"}, supplied {expectedETag ?? "<none>"}.",
            storedETag,
            expectedETag);
    }

    private async Task<string?> ReadStoredETagAsync(SqliteConnection connection, string stateName, GrainId grainId)
    {
        await using var command = CreateCommand(connection, SelectETagSql, stateName, grainId);
        return await command.ExecuteScalarAsync() as string;
    }

    private SqliteCommand CreateCommand(SqliteConnection connection, string sql, string stateName, GrainId grainId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$state", stateName);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        return command;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite grain storage '{StorageName}' ready on {DataSource}")]
    private static partial void LogInitialized(ILogger logger, string storageName, string dataSource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite grain storage '{StorageName}': WAL checkpoint after clear failed; the next checkpoint will retry")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception, string storageName);
}
