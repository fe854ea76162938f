namespace PayApi.Shared;

/// <summary>Linked into the projects that create database files; keeps them owner-only from the first byte.</summary>
internal static class PrivateFile
{
    /// <summary>
    /// Creates an empty file readable and writable by its owner only (0600), unless it already exists.
    /// SQLite accepts an empty file as a new database and gives its -wal and -shm files the same mode, so
    /// creating it first keeps all three private without racing a chmod.
    /// </summary>
    public static void CreateIfMissing(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created concurrently by another process; its mode stands.
        }
    }
}
