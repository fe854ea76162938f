using System.Globalization;
using System.Text;

namespace PayApi.Vault;

/// <summary>
/// <c>master.key</c>: one line per master version, <c>&lt;key id&gt; &lt;created at&gt; &lt;base64 key&gt;</c>.
/// Written only through a 0600 temp file and a rename, so a crash never leaves a half-written key.
/// </summary>
internal static class LocalMasterKeyFile
{
    public const string FileName = "master.key";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const string Header =
        "# PayApi local master key versions. Keep this file secret; production should use AWS KMS.\n" +
        "# <key id> <created at> <base64 key>\n";

    /// <summary>Returns null when the file does not exist.</summary>
    public static List<MasterKeyMaterial>? Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var versions = new List<MasterKeyMaterial>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            // The message names the line, never its content: the content is key material.
            var parsed = TryParse(line) ?? throw new InvalidOperationException($"{path} line {i + 1} is not '<key id> <created at> <base64 of 32 bytes>'.");
            if (versions.Exists(v => v.Number == parsed.Number))
            {
                throw new InvalidOperationException($"{path} line {i + 1} repeats key id {parsed.KeyId}.");
            }

            versions.Add(parsed);
        }

        return versions;
    }

    /// <summary>Creates the file with its first version; false when another writer created it first.</summary>
    public static bool TryCreate(string path, MasterKeyMaterial first)
    {
        var temp = WriteTemp(path, Header + Format(first));
        try
        {
            File.Move(temp, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return false;
        }
    }

    public static void Append(string path, MasterKeyMaterial version)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : Header;
        if (existing.Length > 0 && !existing.EndsWith('\n'))
        {
            existing += "\n";
        }

        File.Move(WriteTemp(path, existing + Format(version)), path, overwrite: true);
    }

    public static bool IsReadableByOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly & ~UnixFileMode.UserExecute) != 0;

    private static string Format(MasterKeyMaterial version) =>
        $"{version.KeyId} {version.CreatedAt.ToString("O", CultureInfo.InvariantCulture)} {Convert.ToBase64String(version.Key)}\n";

    private static MasterKeyMaterial? TryParse(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 3
            || !fields[0].StartsWith(MasterKeyMaterial.KeyIdPrefix, StringComparison.Ordinal)
            || !int.TryParse(fields[0].AsSpan(MasterKeyMaterial.KeyIdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number < 1
            || !DateTimeOffset.TryParse(fields[1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var createdAt))
        {
            return null;
        }

        var key = new byte[32];
        return Convert.TryFromBase64String(fields[2], key, out var written) && written == 32
            ? new MasterKeyMaterial(number, createdAt, key)
            : null;
    }

    private static string WriteTemp(string path, string content)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Set at creation, so the key is never on disk with the umask's looser mode, even briefly.
            options.UnixCreateMode = OwnerOnly;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(content));
            stream.Flush(flushToDisk: true);
        }

        return temp;
    }
}
