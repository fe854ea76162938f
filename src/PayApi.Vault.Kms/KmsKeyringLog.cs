using Microsoft.Extensions.Logging;

namespace PayApi.Vault.Kms;

internal static partial class KmsKeyringLog
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Information,
        Message = "KMS key {KeyId} resolves to {KeyArn}; it wraps new data keys.")]
    public static partial void PrimaryResolved(ILogger logger, string keyId, string keyArn);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning,
        Message = "KMS refused the wrapped data key of connection {ConnectionId} under {KeyArn} ({ErrorCode}).")]
    public static partial void Refused(ILogger logger, string connectionId, string keyArn, string errorCode);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information,
        Message = "Moved the data key of connection {ConnectionId} from {SourceKeyId} to {KeyArn}.")]
    public static partial void Rewrapped(ILogger logger, string connectionId, string sourceKeyId, string keyArn);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Warning,
        Message = "A data key of connection {ConnectionId} is wrapped under local version {KeyId}, but no local master key is configured.")]
    public static partial void NoLegacyKeyring(ILogger logger, string connectionId, string keyId);
}
