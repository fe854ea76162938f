using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace PayApi.Aws;

/// <summary>
/// How every AWS client of the service is set up (DynamoDB, KMS, S3): the SDK's standard retry mode (exponential
/// backoff with full jitter for throttling, 5xx and network errors), bounded attempts and a per-attempt timeout, so
/// an outage surfaces as an error within seconds instead of a hung grain call; an endpoint override for tests.
/// </summary>
public static class AwsClientSetup
{
    /// <summary>Applies retries, timeout and endpoint to <paramref name="config"/>.</summary>
    public static void Configure(ClientConfig config, string? serviceUrl, string? region, int maxErrorRetry, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = maxErrorRetry;
        config.Timeout = requestTimeout;
        if (!string.IsNullOrEmpty(serviceUrl))
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        }
        else if (!string.IsNullOrEmpty(region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
    }

    /// <summary>
    /// The SDK's chain (environment, profile, ECS task role) always wins. Only a loopback endpoint (dynalite, s3rver,
    /// our test KMS) may go without credentials: those servers check that a request is signed, not by whom.
    /// </summary>
    public static AWSCredentials Credentials(string? serviceUrl)
    {
        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException) when (Uri.TryCreate(serviceUrl, UriKind.Absolute, out var uri) && uri.IsLoopback)
        {
            return new BasicAWSCredentials("payapi-local", "payapi-local");
        }
    }
}
