using Orleans;

namespace PayApi.Storage.Sqlite;

/// <summary>
/// Fails silo start-up with a message naming the setting when the SQLite options are unusable,
/// instead of failing later on the first grain call.
/// </summary>
internal sealed class SqliteOptionsValidator(Func<(string? ConnectionString, string? DatabasePath)> readOptions, string optionsName, string usage)
    : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var (connectionString, databasePath) = readOptions();
        _ = SqliteDatabase.Create(connectionString, databasePath, optionsName, usage);
    }
}
