namespace PayApi.Storage.Sqlite;

/// <summary>
/// Options for <see cref="SqliteReminderTable"/>. Set exactly one of <see cref="DatabasePath"/> or
/// <see cref="ConnectionString"/>; it may be the same file as the grain storage.
/// </summary>
public sealed class SqliteReminderOptions
{
    /// <summary>Path of the database file (created with its directory if missing), e.g. <c>&lt;data dir&gt;/payapi.db</c>.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>A Microsoft.Data.Sqlite connection string, for callers that need extra keywords.</summary>
    public string? ConnectionString { get; set; }
}
