using Microsoft.Data.Sqlite;
using Orleans.Runtime;

namespace PayApi.Storage.Sqlite;

/// <summary>
/// One SQLite database file shared by the grain storage and the reminder table. Owns the rules
/// for turning options into a connection string and the per-connection settings every operation needs.
/// </summary>
internal sealed class SqliteDatabase
{
    // Long enough to ride out a checkpoint or a burst of parallel writers, short enough that a
    // wedged file surfaces as an error instead of a hung grain call.
    private const string BusyTimeoutMilliseconds = "10000";

    // busy_timeout, synchronous and secure_delete are per connection, so they are applied on
    // every open; pooled connections make this a cheap no-op round trip.
    // secure_delete zeroes deleted content so cleared grain state is really gone from the file.
    private const string ConnectionPragmas =
        $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;";

    private SqliteDatabase(string connectionString, string dataSource)
    {
        ConnectionString = connectionString;
        DataSource = dataSource;
    }

    public string ConnectionString { get; }

    public string DataSource { get; }

    /// <summary>
    /// Validates the two alternative settings and builds the connection string.
    /// </summary>
    /// <param name="connectionString">Full Microsoft.Data.Sqlite connection string, or null.</param>
    /// <param name="databasePath">Path of the database file, or null.</param>
    /// <param name="optionsName">Options type named in error messages, e.g. "SqliteStorageOptions".</param>
    /// <param name="usage">What the database is for, e.g. "grain storage 'Default'", also for error messages.</param>
    public static SqliteDatabase Create(string? connectionString, string? databasePath, string optionsName, string usage)
    {
        var settingPrefix = $"{optionsName} for {usage}";
        var hasConnectionString = !string.IsNullOrWhiteSpace(connectionString);
        var hasPath = !string.IsNullOrWhiteSpace(databasePath);
        if (hasConnectionString == hasPath)
        {
            throw new OrleansConfigurationException(
                $"{settingPrefix}: set exactly one of {optionsName}.DatabasePath (e.g. '<data dir>/payapi.db') " +
                $"or {optionsName}.ConnectionString; {(hasPath ? "both are" : "neither is")} set.");
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(hasConnectionString ? connectionString : string.Empty);
        }
        catch (ArgumentException ex)
        {
            throw new OrleansConfigurationException($"{settingPrefix}: {optionsName}.ConnectionString is not a valid SQLite connection string: {ex.Message}", ex);
        }

        if (hasPath)
        {
            builder.DataSource = Path.GetFullPath(databasePath!);
        }

        // An in-memory database would silently lose every grain's state on restart, and with a
        // connection per operation each call would even see a different empty database.
        if (string.IsNullOrWhiteSpace(builder.DataSource)
            || string.Equals(builder.DataSource, ":memory:", StringComparison.OrdinalIgnoreCase)
            || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new OrleansConfigurationException($"{settingPrefix}: the database must be a file; in-memory SQLite is not durable.");
        }

        if (builder.Mode == SqliteOpenMode.ReadOnly)
        {
            throw new OrleansConfigurationException($"{settingPrefix}: the database cannot be opened read-only; storage writes to it.");
        }

        builder.Pooling = true;
        return new SqliteDatabase(builder.ToString(), builder.DataSource);
    }

    /// <summary>Opens a connection with the per-connection settings applied.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = ConnectionPragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Creates the directory, switches the file to WAL and runs the (idempotent) schema script.
    /// </summary>
    public async Task EnsureSchemaAsync(string schemaSql, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        if (!DataSource.Equals(":memory:", StringComparison.Ordinal) && !DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            // Grain state holds exchange codes, end-user ids and secret hashes: owner-only, like keys.db.
            PayApi.Shared.PrivateFile.CreateIfMissing(Path.GetFullPath(DataSource));
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // WAL is a property of the file, so setting it once here covers every later connection;
        // it lets readers proceed while a writer commits.
        command.CommandText = "PRAGMA journal_mode = WAL;" + schemaSql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
