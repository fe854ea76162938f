using Amazon.Runtime;
using Amazon.S3;
using PayApi.Aws;

namespace PayApi.Storage.S3;

/// <summary>
/// Builds the one <see cref="IAmazonS3"/> a process shares, set up as every AWS client is (<see cref="AwsClientSetup"/>).
/// </summary>
public static class S3ClientFactory
{
    public static IAmazonS3 Create(S3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            // Checksums only where S3 demands them (DeleteObjects). The default adds a CRC trailer to every upload
            // with aws-chunked framing, which S3-compatible servers such as s3rver store verbatim as the object.
            // Puts stay protected: UseChunkEncoding is off, so the signed x-amz-content-sha256 covers the payload.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        AwsClientSetup.Configure(config, options.ServiceUrl, options.Region, options.MaxErrorRetry, options.RequestTimeout);

        // Endpoint overrides rarely serve virtual-host names (bucket.127.0.0.1 does not resolve).
        config.ForcePathStyle = !string.IsNullOrEmpty(options.ServiceUrl);
        return new AmazonS3Client(AwsClientSetup.Credentials(options.ServiceUrl), config);
    }
}
