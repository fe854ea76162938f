using Amazon.DynamoDBv2;
using PayApi.Aws;

namespace PayApi.Storage.DynamoDB;

/// <summary>Builds the one <see cref="IAmazonDynamoDB"/> a process shares, set up as every AWS client is (<see cref="AwsClientSetup"/>).</summary>
public static class DynamoDBClientFactory
{
    public static IAmazonDynamoDB Create(DynamoDBOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonDynamoDBConfig();
        AwsClientSetup.Configure(config, options.ServiceUrl, options.Region, options.MaxErrorRetry, options.RequestTimeout);
        return new AmazonDynamoDBClient(AwsClientSetup.Credentials(options.ServiceUrl), config);
    }
}
