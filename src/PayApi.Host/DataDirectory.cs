namespace PayApi.Host;

/// <summary>The embedded state folder: created owner-only, because it holds the master key and the database.</summary>
internal static class DataDirectory
{
    /// <summary>Creates the folder when missing and proves it writable; otherwise a <see cref="SettingsException"/> naming PayApi:DataDir.</summary>
    public static void Ensure(string path)
    {
        try
        {
            if (!Directory.Exists(path))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(path);
                }
                else
                {
                    Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            // SQLite, the master key and the admin token are written here: find out now, not on the first request.
            var probe = Path.Combine(path, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new SettingsException(
                $"PayApi:DataDir {path} is not a writable folder ({e.Message.TrimEnd('.')}). Set PayApi:DataDir (environment PayApi__DataDir) to a folder this user can write.");
        }
    }
}
