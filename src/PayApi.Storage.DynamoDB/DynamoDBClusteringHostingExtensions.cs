using Microsoft.Extensions.DependencyInjection;
using Orleans.Messaging;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Cluster membership on DynamoDB, the way Orleans' own clustering providers plug in: a silo gets an
/// <see cref="IMembershipTable"/>, a client (gateway-only process) an <see cref="IGatewayListProvider"/>. Nothing
/// else is implied: no development or localhost clustering, no ports; the host configures
/// <c>ClusterOptions</c> and endpoints. The <see cref="DynamoDBOptions"/> are the shared, unnamed ones
/// (see <see cref="DynamoDBServiceCollectionExtensions.AddPayApiDynamoDB"/>).
/// </summary>
public static class DynamoDBClusteringHostingExtensions
{
    public static ISiloBuilder UseDynamoDBClustering(this ISiloBuilder builder, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPayApiDynamoDB(configure);
        builder.Services.AddSingleton<IMembershipTable, DynamoDBMembershipTable>();
        return builder;
    }

    public static IClientBuilder UseDynamoDBClustering(this IClientBuilder builder, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPayApiDynamoDB(configure);
        builder.Services.AddSingleton<IGatewayListProvider, DynamoDBGatewayListProvider>();
        return builder;
    }
}
