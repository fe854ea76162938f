namespace PayApi.Scraping;

/// <summary>Browser, proxy and failure-bundle settings, bound from <c>PayApi:Scraper</c>.</summary>
public sealed class ScraperOptions
{
    public const string SectionName = "PayApi:Scraper";

    /// <summary>A Chromium executable; when unset, Playwright's own install, then <c>/usr/bin/chromium</c>.</summary>
    public string? ChromiumPath { get; set; }

    /// <summary>Forward proxies as <c>http://host:port</c>; empty means connections go out directly.</summary>
    public IList<string> Proxies { get; } = [];

    /// <summary>Browser jobs that may run at once on this silo.</summary>
    public int MaxConcurrentJobs { get; set; } = 2;

    /// <summary>Jobs a browser process serves before it is replaced, so leaks cannot accumulate.</summary>
    public int RecycleAfterJobs { get; set; } = 50;

    /// <summary>The longest a single browser job may run.</summary>
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a blocked or failing proxy is left out of the rotation.</summary>
    public TimeSpan ProxyRestPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often expired failure bundles are deleted.</summary>
    public TimeSpan FailureBundleSweepPeriod { get; set; } = TimeSpan.FromHours(1);
}
