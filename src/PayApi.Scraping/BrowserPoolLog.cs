using Microsoft.Extensions.Logging;

namespace PayApi.Scraping;

internal static partial class BrowserPoolLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Launched Chromium #{Number} from {Path}.")]
    public static partial void Launched(ILogger logger, long number, string path);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Recycling Chromium #{Number} after {Jobs} jobs.")]
    public static partial void Recycling(ILogger logger, long number, int jobs);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Chromium #{Number} disconnected; the next job launches a new browser.")]
    public static partial void Disconnected(ILogger logger, long number);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "A browser job ran longer than {Timeout} and was stopped.")]
    public static partial void JobTimedOut(ILogger logger, TimeSpan timeout);

    // Only the exception type: Playwright messages quote URLs and selectors, which can carry secrets.
    [LoggerMessage(EventId = 5105, Level = LogLevel.Debug, Message = "Closing a browser resource failed with {ExceptionType}.")]
    public static partial void CloseFailed(ILogger logger, string exceptionType);
}
