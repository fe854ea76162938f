using Microsoft.Playwright;

namespace PayApi.Scraping;

/// <summary>One launched Chromium and the bookkeeping that decides when it is replaced; guarded by the pool's lock.</summary>
internal sealed class BrowserInstance(IBrowser browser, long number)
{
    public IBrowser Browser { get; } = browser;

    public long Number { get; } = number;

    public int JobsStarted { get; set; }

    public int Active { get; set; }

    /// <summary>Takes no new jobs; closed once its running jobs end.</summary>
    public bool Retired { get; set; }

    public bool Closed { get; set; }

    public bool CanTake(int recycleAfterJobs) => !Retired && Browser.IsConnected && JobsStarted < recycleAfterJobs;
}
