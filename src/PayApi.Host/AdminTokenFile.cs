using System.Security.Cryptography;

namespace PayApi.Host;

/// <summary>
/// The operator token: from configuration, else read from (or generated into) <c>admin.token</c> in the
/// data dir with mode 0600, so a fresh install is never left open.
/// </summary>
internal static class AdminTokenFile
{
    public const string FileName = "admin.token";

    public static string Resolve(string? configured, string dataDir, out string? path)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            path = null;
            return configured;
        }

        path = Path.Combine(dataDir, FileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 16)
            {
                return existing;
            }
        }

        var token = "adm_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, options))
        {
            writer.Write(token);
        }

        return token;
    }
}
