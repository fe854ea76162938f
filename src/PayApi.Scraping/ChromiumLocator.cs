namespace PayApi.Scraping;

/// <summary>
/// Finds the Chromium executable: <c>PayApi:Scraper:ChromiumPath</c>, then a browser Playwright installed
/// itself, then Debian's <c>/usr/bin/chromium</c>. Playwright is never asked to download one.
/// </summary>
public static class ChromiumLocator
{
    public const string SystemChromium = "/usr/bin/chromium";

    public static string Locate(string? configuredPath) =>
        Locate(configuredPath, PlaywrightBrowserRoots(), SystemChromium);

    internal static string Locate(string? configuredPath, IEnumerable<string> playwrightRoots, string systemPath)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return File.Exists(configuredPath)
                ? configuredPath
                : throw new InvalidOperationException(
                    $"{ScraperOptions.SectionName}:ChromiumPath is '{configuredPath}', but no file exists there. Point it at a Chromium executable.");
        }

        foreach (var root in playwrightRoots)
        {
            if (FindInPlaywrightRoot(root) is { } installed)
            {
                return installed;
            }
        }

        if (File.Exists(systemPath))
        {
            return systemPath;
        }

        throw new InvalidOperationException(
            $"No Chromium was found: {ScraperOptions.SectionName}:ChromiumPath is unset, Playwright has no browser installed, " +
            $"and {systemPath} does not exist. Install one (`apt-get install -y chromium`) or set {ScraperOptions.SectionName}:ChromiumPath.");
    }

    private static IEnumerable<string> PlaywrightBrowserRoots()
    {
        // "0" means "inside the package folder", which Playwright .NET never fills on its own here.
        if (Environment.GetEnvironmentVariable("PLAYWRIGHT_BROWSERS_PATH") is { Length: > 0 } configured && configured != "0")
        {
            yield return configured;
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0)
        {
            yield return Path.Combine(home, ".cache", "ms-playwright");
        }
    }

    private static string? FindInPlaywrightRoot(string root)
    {
        if (!Directory.Exists(root))
        {
            return null;
        }

        // Newest revision first; headless-shell folders are a different binary and are not used.
        var revisions = Directory.EnumerateDirectories(root, "chromium-*")
            .OrderByDescending(d => RevisionOf(d))
            .ToList();
        foreach (var revision in revisions)
        {
            foreach (var relative in (string[])["chrome-linux64/chrome", "chrome-linux/chrome"])
            {
                var candidate = Path.Combine(revision, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static int RevisionOf(string directory) =>
        int.TryParse(Path.GetFileName(directory).AsSpan("chromium-".Length), out var revision) ? revision : -1;
}
