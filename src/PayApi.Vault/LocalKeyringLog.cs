using Microsoft.Extensions.Logging;

namespace PayApi.Vault;

internal static partial class LocalKeyringLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "Generated a local master key at {Path}. Production should use AWS KMS (PayApi:Keys:Provider=Kms).")]
    public static partial void GeneratedMasterKey(ILogger logger, string path);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning,
        Message = "Using the local master key file {Path}. Production should use AWS KMS (PayApi:Keys:Provider=Kms).")]
    public static partial void UsingMasterKeyFile(ILogger logger, string path);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning,
        Message = "The local master key file {Path} is readable by other users; restrict it to mode 0600.")]
    public static partial void MasterKeyFileTooOpen(ILogger logger, string path);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information,
        Message = "Rotated the local master key; {KeyId} is now primary.")]
    public static partial void Rotated(ILogger logger, string keyId);
}
