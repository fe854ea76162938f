using Microsoft.Extensions.Logging;

namespace PayApi.Scraping;

internal static partial class ProxyPoolLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Proxy {Proxy} was {Reason}; resting it until {Until}.")]
    public static partial void Resting(ILogger logger, string proxy, string reason, DateTimeOffset until);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "Ignoring a report about {Proxy}, which is not a configured proxy.")]
    public static partial void UnknownProxy(ILogger logger, string proxy);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Error, Message = "Every one of the {Count} configured proxies is resting.")]
    public static partial void AllResting(ILogger logger, int count);
}
