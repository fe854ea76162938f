using System.Text;
using Microsoft.Data.Sqlite;

namespace PayApi.Grains.Tests;

/// <summary>Looks at what really is on disk: raw file bytes and the SQLite tables.</summary>
public static class Files
{
    /// <summary>Reads a file even while the silo holds it open.</summary>
    public static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>The database file and its write-ahead log and shared-memory files, whichever exist.</summary>
    public static IEnumerable<string> DatabaseFiles(string databasePath) =>
        new[] { databasePath, databasePath + "-wal", databasePath + "-shm", databasePath + "-journal" }.Where(File.Exists);

    /// <summary>Every file under the directory whose bytes contain the text in UTF-8 or UTF-16.</summary>
    public static IReadOnlyList<string> FilesContaining(IEnumerable<string> paths, string text)
    {
        var needles = new[] { Encoding.UTF8.GetBytes(text), Encoding.Unicode.GetBytes(text), Encoding.BigEndianUnicode.GetBytes(text) };
        var hits = new List<string>();
        foreach (var path in paths)
        {
            var bytes = ReadShared(path);
            if (needles.Any(n => bytes.AsSpan().IndexOf(n) >= 0))
            {
                hits.Add(path);
            }
        }

        return hits;
    }

    public static IEnumerable<string> AllFilesUnder(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories);

    public static async Task<object?> ScalarAsync(string databasePath, string sql, params (string Name, object Value)[] parameters)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(cs);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }

    public static async Task<long> CountAsync(string databasePath, string sql, params (string Name, object Value)[] parameters) =>
        Convert.ToInt64(await ScalarAsync(databasePath, sql, parameters), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Grain state rows whose grain id names this key (e.g. <c>connection/con_...</c>).</summary>
    public static Task<long> StateRowsForAsync(string databasePath, string grainKey) =>
        CountAsync(databasePath, "SELECT COUNT(*) FROM orleans_grain_state WHERE instr(grain_id, $key) > 0", ("$key", grainKey));

    /// <summary>Grain state rows of any grain whose serialized payload mentions the text.</summary>
    public static Task<long> StatePayloadsMentioningAsync(string databasePath, string text) =>
        CountAsync(databasePath, "SELECT COUNT(*) FROM orleans_grain_state WHERE instr(payload, $needle) > 0", ("$needle", Encoding.UTF8.GetBytes(text)));
}
