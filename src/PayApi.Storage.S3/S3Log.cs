using Microsoft.Extensions.Logging;

namespace PayApi.Storage.S3;

/// <summary>The S3 store's log lines: bucket names and error codes, never object keys' contents or data.</summary>
internal static partial class S3Log
{
    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Created S3 bucket {Bucket}")]
    public static partial void BucketCreated(ILogger logger, string bucket);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning, Message = "S3 bucket {Bucket} could not be checked or created ({Reason}); trying again in {Delay}")]
    public static partial void BucketRetry(ILogger logger, string bucket, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Error, Message = "S3 bucket {Bucket} cannot be created: {Reason}. Artifact writes will fail until the bucket exists")]
    public static partial void BucketRefused(ILogger logger, string bucket, string reason);
}
