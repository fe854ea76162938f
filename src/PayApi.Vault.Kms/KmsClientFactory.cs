using Amazon;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace PayApi.Vault.Kms;

/// <summary>
/// Builds the one <see cref="IAmazonKeyManagementService"/> a process shares: the SDK's standard retry mode
/// (exponential backoff with full jitter for throttling, 5xx and network errors), bounded attempts and a per-attempt
/// timeout, so a KMS outage surfaces as an error within seconds instead of a hung grain activation.
/// </summary>
public static class KmsClientFactory
{
    public static IAmazonKeyManagementService Create(KmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonKeyManagementServiceConfig
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxErrorRetry,
            Timeout = options.RequestTimeout,
        };

        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return new AmazonKeyManagementServiceClient(ResolveCredentials(options), config);
    }

    // The SDK's chain (environment, profile, ECS task role) always wins. Only a loopback endpoint (our test KMS)
    // may go without credentials: it checks that a request is signed, not by whom.
    private static AWSCredentials ResolveCredentials(KmsOptions options)
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
