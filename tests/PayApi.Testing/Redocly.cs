using System.Diagnostics;

namespace PayApi.Testing;

/// <summary>
/// The OpenAPI linter <c>@redocly/cli</c>, pinned in <c>tests/tools/redocly</c> (scripts/test.sh installs it with
/// <c>npm ci</c>; a plain <c>dotnet test</c> in a fresh clone installs it here, once).
/// </summary>
public static class Redocly
{
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "tools", "redocly");
                if (File.Exists(Path.Combine(candidate, "redocly.yaml")))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException($"tests/tools/redocly/redocly.yaml was not found above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>Runs <c>redocly lint</c> on a document with the repository's rules; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> LintAsync(string documentPath)
    {
        var tool = Directory;
        await EnsureInstalledAsync(tool);
        return await RunAsync("node", tool,
            Path.Combine(tool, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", documentPath,
            "--config", Path.Combine(tool, "redocly.yaml"), "--format", "stylish");
    }

    private static async Task EnsureInstalledAsync(string tool)
    {
        bool Installed() => File.Exists(Path.Combine(tool, "node_modules", "@redocly", "cli", "package.json"));
        await InstallGate.WaitAsync();
        try
        {
            if (!Installed())
            {
                var (code, output) = await RunAsync("npm", tool, "ci", "--no-audit", "--no-fund", "--loglevel=error");
                if (code != 0 || !Installed())
                {
                    throw new InvalidOperationException($"npm ci in {tool} failed ({code}): {output}. scripts/test.sh installs it.");
                }
            }
        }
        finally
        {
            InstallGate.Release();
        }
    }

    private static async Task<(int, string)> RunAsync(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // No network calls home from the linter.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await stdout + await stderr);
    }
}
