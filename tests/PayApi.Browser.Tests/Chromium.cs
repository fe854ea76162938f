using Microsoft.Playwright;

namespace PayApi.Browser.Tests;

/// <summary>Launches the machine's Chromium (Debian's package) through Playwright; Playwright never downloads a browser here.</summary>
public static class Chromium
{
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>The same setting the service's scraper uses (<c>PayApi:Scraper:ChromiumPath</c>), else Debian's path.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("PayApi__Scraper__ChromiumPath") is { Length: > 0 } configured ? configured : DefaultPath;

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        var path = ExecutablePath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at '{path}'. The browser tests drive the system Chromium and cannot download one: " +
                "run `apt-get install -y chromium` (or set PayApi__Scraper__ChromiumPath to a Chromium executable).");
        }

        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }
}
