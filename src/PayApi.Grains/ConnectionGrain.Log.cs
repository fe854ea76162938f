using Microsoft.Extensions.Logging;

namespace PayApi.Grains;

/// <summary>The connection grain's log lines: ids, provider ids and error codes only, never values.</summary>
public sealed partial class ConnectionGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} connected to {Provider} (repair: {Repair})")]
    private static partial void LogConnected(ILogger logger, string connectionId, string provider, bool repair);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: {Provider} refused the credentials with {ErrorCode}")]
    private static partial void LogConnectRefused(ILogger logger, string connectionId, string provider, string errorCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: {Provider} asks for a one-time code")]
    private static partial void LogMfaRequired(ILogger logger, string connectionId, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: the {Provider} session expired; logging in again with the stored credentials")]
    private static partial void LogReLogin(ILogger logger, string connectionId, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: refresh failed with {ErrorCode}")]
    private static partial void LogRefreshFailed(ILogger logger, string connectionId, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: its data key was lost; the repair sealed the new credentials under a new key")]
    private static partial void LogDataKeyReplaced(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: scheduled refresh skipped while {Status}; waiting for the end-user to reconnect")]
    private static partial void LogRefreshSkipped(ILogger logger, string connectionId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: cached data passed its maximum age and was wiped")]
    private static partial void LogCacheExpired(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId}: stored {Field} failed its integrity check and was not used")]
    private static partial void LogTamperedValue(ILogger logger, string connectionId, string field);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId}: stored provider data could not be read ({Reason}); it is fetched afresh")]
    private static partial void LogDataUnreadable(ILogger logger, string connectionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: stale data chunks were kept for now ({Failure}); the next write or the disconnect removes them")]
    private static partial void LogStaleChunksKept(ILogger logger, string connectionId, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} disconnected and crypto-shredded")]
    private static partial void LogDisconnected(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connection {ConnectionId}: backfill batch read {Items} items in {Requests} provider requests; more to read: {More}")]
    private static partial void LogBackfillBatch(ILogger logger, string connectionId, int requests, int items, bool more);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: backfill batch failed ({Failure}); tried again later")]
    private static partial void LogBackfillFailed(ILogger logger, string connectionId, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: the provider refused {Capabilities} to the stored credentials; the connection no longer offers them")]
    private static partial void LogCapabilitiesRefused(ILogger logger, string connectionId, string capabilities);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId}: a background refresh failed unexpectedly ({ExceptionType})")]
    private static partial void LogBackgroundRefreshCrashed(ILogger logger, string connectionId, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: its tombstone passed the retention and was deleted")]
    private static partial void LogTombstoneDeleted(ILogger logger, string connectionId);
}
