namespace PayApi.Deploy.Tests;

/// <summary>The repository's root (where Orleans.PayApi.slnx is), found upwards from the test assembly.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public static string Read(params string[] parts) => System.IO.File.ReadAllText(File(parts));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "Orleans.PayApi.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Orleans.PayApi.slnx not found above " + AppContext.BaseDirectory);
    }
}
