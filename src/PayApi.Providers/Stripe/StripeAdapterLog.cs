using Microsoft.Extensions.Logging;

namespace PayApi.Providers;

/// <summary>The adapter's log lines: provider id, operation, status and id prefixes only, never a key, an id or a body.</summary>
internal static partial class StripeAdapterLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Provider {ProviderId} unavailable during {Operation}: {Reason}")]
    public static partial void Unavailable(ILogger logger, string providerId, string operation, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Provider {ProviderId} answered HTTP {Status} to {Operation} in a way the adapter does not understand")]
    public static partial void Unexpected(ILogger logger, string providerId, string operation, int status);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Provider {ProviderId} {Operation}: {Reason}, retry {Attempt} in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string providerId, string operation, string reason, int attempt, long delayMs);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Provider {ProviderId} {Operation}: skipped an item with id shape {IdShape} ({Reason})")]
    public static partial void ItemSkipped(ILogger logger, string providerId, string operation, string idShape, string reason);
}
