namespace PayApi.Storage.S3;

/// <summary>
/// The bucket is missing, or these credentials may not use it (access denied, unknown key, KMS key refused). A
/// deployment mistake rather than an outage: retrying will not help, so it is not an <see cref="S3UnavailableException"/>
/// and the gateway answers it as an internal error. The message names the bucket, the operation and S3's error code.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.Storage.S3.S3BucketAccessException")]
public sealed class S3BucketAccessException : Exception
{
    public S3BucketAccessException()
    {
    }

    public S3BucketAccessException(string message)
        : base(message)
    {
    }

    public S3BucketAccessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>S3's error code, such as <c>NoSuchBucket</c> or <c>AccessDenied</c>.</summary>
    [Id(0)]
    public string? ErrorCode { get; init; }
}
