using Microsoft.Extensions.Logging;

namespace PayApi.Vault;

internal static partial class KeyRotationServiceLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "The wrapped data key of connection {ConnectionId} under {KeyId} could not be unwrapped; it was left as is.")]
    public static partial void RewrapFailed(ILogger logger, string connectionId, string keyId);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information,
        Message = "Rewrap finished: {Scanned} scanned, {Rewrapped} rewrapped, {AlreadyCurrent} current, {Conflicts} conflicts, {Failed} failed.")]
    public static partial void RewrapFinished(ILogger logger, long scanned, long rewrapped, long alreadyCurrent, long conflicts, long failed);
}
