using Microsoft.Extensions.Logging;

namespace PayApi.Scraping;

internal static partial class FailureBundleLog
{
    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "Stored failure bundle {BundleId} for connection {ConnectionId} ({Size} bytes, encrypted).")]
    public static partial void Stored(ILogger logger, string bundleId, string connectionId, long size);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Warning, Message = "Could not scrub a frame of the failing page ({ExceptionType}); the bundle is stored without a screenshot.")]
    public static partial void ScrubFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "Could not take a screenshot of the failing page ({ExceptionType}).")]
    public static partial void ScreenshotFailed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Information, Message = "Deleted {Count} failure bundles older than {Retention}.")]
    public static partial void Swept(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(EventId = 5305, Level = LogLevel.Warning, Message = "Skipping unreadable failure bundle artifact {Key}.")]
    public static partial void Unreadable(ILogger logger, string key);

    [LoggerMessage(EventId = 5306, Level = LogLevel.Error, Message = "The failure bundle sweep failed with {ExceptionType}.")]
    public static partial void SweepFailed(ILogger logger, string exceptionType, Exception exception);
}
