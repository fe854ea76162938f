using Amazon.KeyManagementService;
using PayApi.Aws;

namespace PayApi.Vault.Kms;

/// <summary>
/// Builds the one <see cref="IAmazonKeyManagementService"/> a process shares, set up as every AWS client is
/// (<see cref="AwsClientSetup"/>), so a KMS outage surfaces as an error within seconds instead of a hung activation.
/// </summary>
public static class KmsClientFactory
{
    public static IAmazonKeyManagementService Create(KmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonKeyManagementServiceConfig();
        AwsClientSetup.Configure(config, options.ServiceUrl, options.Region, options.MaxErrorRetry, options.RequestTimeout);
        return new AmazonKeyManagementServiceClient(AwsClientSetup.Credentials(options.ServiceUrl), config);
    }
}
