namespace PayApi.Testing;

/// <summary>The repository this test build came from (README.md, scripts/), found from the built host's path.</summary>
public static class RepositoryRoot
{
    public static string Path
    {
        get
        {
            // <root>/src/PayApi.Host/bin/<configuration>/net10.0/PayApi.Host.dll
            var dir = new FileInfo(HostProcess.HostDll).Directory;
            for (var i = 0; i < 5 && dir is not null; i++)
            {
                dir = dir.Parent;
            }

            return dir is not null && File.Exists(System.IO.Path.Combine(dir.FullName, "README.md"))
                ? dir.FullName
                : throw new InvalidOperationException($"No repository root above {HostProcess.HostDll}.");
        }
    }
}
