using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace PayApi.Scraping.Tests;

/// <summary>Builds real pools over the machine's Chromium (PayApi__Scraper__ChromiumPath, else Debian's).</summary>
internal static class Pools
{
    public static string? ConfiguredChromium =>
        Environment.GetEnvironmentVariable("PayApi__Scraper__ChromiumPath") is { Length: > 0 } path ? path : null;

    public static BrowserPool Browser(Action<ScraperOptions>? configure = null)
    {
        var options = new ScraperOptions { ChromiumPath = ConfiguredChromium };
        configure?.Invoke(options);
        return new BrowserPool(Options.Create(options), NullLogger<BrowserPool>.Instance);
    }

    public static ProxyPool Proxy(TimeProvider time, params string[] proxies)
    {
        var options = new ScraperOptions();
        foreach (var proxy in proxies)
        {
            options.Proxies.Add(proxy);
        }

        return new ProxyPool(Options.Create(options), time, NullLogger<ProxyPool>.Instance);
    }
}
