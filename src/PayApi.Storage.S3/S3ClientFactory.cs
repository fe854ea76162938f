using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;

namespace PayApi.Storage.S3;

/// <summary>
/// Builds the one <see cref="IAmazonS3"/> a process shares: the SDK's standard retry mode (exponential backoff with
/// full jitter for SlowDown, 5xx and network errors), bounded attempts and a per-attempt timeout, so an outage
/// surfaces as an error within seconds instead of a hung call.
/// </summary>
public static class S3ClientFactory
{
    public static IAmazonS3 Create(S3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxErrorRetry,
            Timeout = options.RequestTimeout,
            // Checksums only where S3 demands them (DeleteObjects). The default adds a CRC trailer to every upload
            // with aws-chunked framing, which S3-compatible servers such as s3rver store verbatim as the object.
            // Puts stay protected: UseChunkEncoding is off, so the signed x-amz-content-sha256 covers the payload.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };

        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            // Endpoint overrides rarely serve virtual-host names (bucket.127.0.0.1 does not resolve).
            config.ForcePathStyle = true;
            config.AuthenticationRegion = options.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return new AmazonS3Client(ResolveCredentials(options), config);
    }

    // The SDK's chain (environment, profile, task role) always wins. Only a loopback endpoint (s3rver, a local MinIO)
    // may go without credentials: there is nothing to protect on the developer's own machine.
    private static AWSCredentials ResolveCredentials(S3Options options)
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException) when (IsLoopback(options.ServiceUrl))
        {
            return new BasicAWSCredentials("payapi-local", "payapi-local");
        }
    }

    private static bool IsLoopback(string? serviceUrl) =>
        Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) && uri.IsLoopback;
}
