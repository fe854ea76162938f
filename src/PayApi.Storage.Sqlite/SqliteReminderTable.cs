using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace PayApi.Storage.Sqlite;

/// <summary>
/// Orleans reminder table in a SQLite file. Rows are keyed by (service id, grain id, reminder name)
/// and carry the grain's uniform hash so the reminder service can read its ring range by index.
/// </summary>
public sealed partial class SqliteReminderTable : IReminderTable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS orleans_reminders (
            service_id     TEXT    NOT NULL,
            grain_id       TEXT    NOT NULL,
            reminder_name  TEXT    NOT NULL,
            grain_hash     INTEGER NOT NULL,
            start_at_ticks INTEGER NOT NULL,
            period_ticks   INTEGER NOT NULL,
            etag           TEXT    NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_orleans_reminders_hash ON orleans_reminders (service_id, grain_hash);
        """;

    private const string Columns = "grain_id, reminder_name, start_at_ticks, period_ticks, etag";

    private const string SelectByGrainSql =
        $"SELECT {Columns} FROM orleans_reminders WHERE service_id = $service AND grain_id = $grain;";

    private const string SelectRowSql =
        $"SELECT {Columns} FROM orleans_reminders WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name;";

    // Orleans' ring ranges are (begin, end]; when begin >= end the range wraps past uint.MaxValue.
    private const string SelectRangeSql =
        $"SELECT {Columns} FROM orleans_reminders WHERE service_id = $service AND grain_hash > $begin AND grain_hash <= $end;";

    private const string SelectWrappedRangeSql =
        $"SELECT {Columns} FROM orleans_reminders WHERE service_id = $service AND (grain_hash > $begin OR grain_hash <= $end);";

    // Upserts are unconditional in Orleans' contract: the incoming ETag is ignored, a new one is issued.
    private const string UpsertSql = """
        INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, grain_hash, start_at_ticks, period_ticks, etag)
        VALUES ($service, $grain, $name, $hash, $start, $period, $etag)
        ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET
            grain_hash = excluded.grain_hash,
            start_at_ticks = excluded.start_at_ticks,
            period_ticks = excluded.period_ticks,
            etag = excluded.etag;
        """;

    private const string DeleteSql =
        "DELETE FROM orleans_reminders WHERE service_id = $service AND grain_id = $grain AND reminder_name = $name AND etag = $etag;";

    private const string ClearSql = "DELETE FROM orleans_reminders WHERE service_id = $service;";

    private readonly string serviceId;
    private readonly SqliteDatabase database;
    private readonly ILogger<SqliteReminderTable> logger;

    /// <summary>Creates the table; <see cref="StartAsync"/> (called by the reminder service) creates the schema.</summary>
    public SqliteReminderTable(IOptions<SqliteReminderOptions> options, IOptions<ClusterOptions> clusterOptions, ILogger<SqliteReminderTable> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        database = SqliteDatabase.Create(options.Value.ConnectionString, options.Value.DatabasePath, nameof(SqliteReminderOptions), "the reminder table");
        serviceId = clusterOptions.Value.ServiceId ?? throw new OrleansConfigurationException(
            $"{nameof(ClusterOptions)}.{nameof(ClusterOptions.ServiceId)} must be set: it scopes the stored reminders.");
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await database.EnsureSchemaAsync(Schema, cancellationToken);
        LogInitialized(logger, database.DataSource);
    }

    /// <inheritdoc />
    public Task Init() => StartAsync(CancellationToken.None);

    /// <inheritdoc />
    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = CreateCommand(connection, SelectByGrainSql);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        return new ReminderTableData(await ReadEntriesAsync(command));
    }

    /// <inheritdoc />
    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = CreateCommand(connection, begin < end ? SelectRangeSql : SelectWrappedRangeSql);
        // uint widens to a 64-bit integer, so hashes above int.MaxValue compare correctly.
        command.Parameters.AddWithValue("$begin", (long)begin);
        command.Parameters.AddWithValue("$end", (long)end);
        return new ReminderTableData(await ReadEntriesAsync(command));
    }

    /// <inheritdoc />
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = CreateCommand(connection, SelectRowSql);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$name", reminderName);
        var entries = await ReadEntriesAsync(command);
        return entries.Count == 0 ? null : entries[0];
    }

    /// <inheritdoc />
    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var etag = Guid.NewGuid().ToString("N");
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = CreateCommand(connection, UpsertSql);
        command.Parameters.AddWithValue("$grain", entry.GrainId.ToString());
        command.Parameters.AddWithValue("$name", entry.ReminderName);
        command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
        command.Parameters.AddWithValue("$start", ToUtc(entry.StartAt).Ticks);
        command.Parameters.AddWithValue("$period", entry.Period.Ticks);
        command.Parameters.AddWithValue("$etag", etag);
        await command.ExecuteNonQueryAsync();
        return etag;
    }

    /// <inheritdoc />
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = CreateCommand(connection, DeleteSql);
        command.Parameters.AddWithValue("$grain", grainId.ToString());
        command.Parameters.AddWithValue("$name", reminderName);
        command.Parameters.AddWithValue("$etag", (object?)eTag ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    /// <inheritdoc />
    public async Task TestOnlyClearTable()
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = CreateCommand(connection, ClearSql);
        await command.ExecuteNonQueryAsync();
    }

    // Reminder times are UTC in Orleans; an unspecified kind is taken as already UTC rather than
    // shifted by the machine's time zone.
    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => value,
    };

    private static async Task<List<ReminderEntry>> ReadEntriesAsync(SqliteCommand command)
    {
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                ETag = reader.GetString(4),
            });
        }

        return entries;
    }

    private SqliteCommand CreateCommand(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", serviceId);
        return command;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite reminder table ready on {DataSource}")]
    private static partial void LogInitialized(ILogger logger, string dataSource);
}
