using Microsoft.Extensions.Logging;

namespace PayApi.Providers;

/// <summary>The adapter's log lines: provider id, operation and status only, never a key or a body.</summary>
internal static partial class StripeAdapterLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Provider {ProviderId} unavailable during {Operation}: {Reason}")]
    public static partial void Unavailable(ILogger logger, string providerId, string operation, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Provider {ProviderId} answered HTTP {Status} to {Operation} in a way the adapter does not understand")]
    public static partial void Unexpected(ILogger logger, string providerId, string operation, int status);
}
