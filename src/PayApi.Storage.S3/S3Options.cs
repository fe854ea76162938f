namespace PayApi.Storage.S3;

/// <summary>
/// Which bucket holds the artifacts (and large provider data chunks) and how hard to try: bound from <c>PayApi:S3</c>.
/// </summary>
public sealed class S3Options
{
    /// <summary>Server-side encryption with S3-managed keys.</summary>
    public const string Aes256 = "AES256";

    /// <summary>Server-side encryption with a KMS key (<see cref="KmsKeyId"/>, or the account's default S3 key).</summary>
    public const string AwsKms = "aws:kms";

    /// <summary><c>PayApi:S3:ServiceUrl</c>: an endpoint override (s3rver in tests, MinIO); null means the AWS endpoint of the region.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>
    /// <c>PayApi:S3:Region</c>: the AWS region; null means the SDK's own chain (<c>AWS_REGION</c>, profile, task
    /// metadata). With a <see cref="ServiceUrl"/> it only names the signing region.
    /// </summary>
    public string? Region { get; set; }

    /// <summary><c>PayApi:Artifacts:Bucket</c> (the host copies it here): the bucket; required.</summary>
    public string Bucket { get; set; } = string.Empty;

    /// <summary>
    /// <c>PayApi:S3:KeyPrefix</c>: the artifact store's keys go under it, so other stores can share the bucket
    /// under prefixes of their own. Empty, or ending in '/'.
    /// </summary>
    public string KeyPrefix { get; set; } = "artifacts/";

    /// <summary>
    /// <c>PayApi:S3:ServerSideEncryption</c>: requested on every put, <see cref="Aes256"/> or <see cref="AwsKms"/>. Asked
    /// for per object rather than trusted to the bucket default, so a bucket set up without one still encrypts.
    /// </summary>
    public string ServerSideEncryption { get; set; } = Aes256;

    /// <summary><c>PayApi:S3:KmsKeyId</c>: the KMS key for <see cref="AwsKms"/>; null means the account's <c>aws/s3</c> key.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>
    /// <c>PayApi:S3:CreateBucket</c>: create the bucket at start when it is missing (tests, local development). Off by
    /// default: in production the bucket, its policy and lifecycle are infrastructure, and the service should not
    /// hold the permission to create buckets.
    /// </summary>
    public bool CreateBucket { get; set; }

    /// <summary>Retries of a throttled, 5xx or unreachable request, with the SDK's jittered exponential backoff, before the call fails.</summary>
    public int MaxErrorRetry { get; set; } = 3;

    /// <summary>How long one HTTP attempt may take before it is abandoned (and retried); with <see cref="MaxErrorRetry"/> it bounds an outage's wait.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Every problem with the options, each naming its <c>PayApi:S3</c> key.</summary>
    public IEnumerable<string> Problems()
    {
        if (ServiceUrl is { Length: > 0 } && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return "PayApi:S3:ServiceUrl must be an absolute http(s) URL.";
        }

        // S3's rules for new buckets: 3-63 characters of lowercase letters, digits, '.' and '-', starting and ending alphanumeric.
        if (Bucket.Length is < 3 or > 63 || Bucket.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
            || !char.IsAsciiLetterOrDigit(Bucket[0]) || !char.IsAsciiLetterOrDigit(Bucket[^1]))
        {
            yield return "PayApi:Artifacts:Bucket is required: 3-63 characters of lowercase letters, digits, '.' and '-'.";
        }

        if (KeyPrefix.Length > 0 && (!KeyPrefix.EndsWith('/') || KeyPrefix.StartsWith('/') || KeyPrefix.Length > 200))
        {
            yield return "PayApi:S3:KeyPrefix must be empty or end in '/' (and not start with one), at most 200 characters.";
        }

        if (ServerSideEncryption is not (Aes256 or AwsKms))
        {
            yield return $"PayApi:S3:ServerSideEncryption must be {Aes256} or {AwsKms}.";
        }

        if (KmsKeyId is { Length: > 0 } && ServerSideEncryption != AwsKms)
        {
            yield return $"PayApi:S3:KmsKeyId is only used with ServerSideEncryption {AwsKms}.";
        }

        if (MaxErrorRetry is < 0 or > 10)
        {
            yield return "PayApi:S3:MaxErrorRetry must be between 0 and 10.";
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(2))
        {
            yield return "PayApi:S3:RequestTimeout must be positive and at most two minutes.";
        }
    }
}
