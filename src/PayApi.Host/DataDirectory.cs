namespace PayApi.Host;

/// <summary>The embedded state folder: created owner-only, because it holds the master key and the database.</summary>
internal static class DataDirectory
{
    public static void Ensure(string path)
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
    }
}
