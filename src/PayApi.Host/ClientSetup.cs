using System.Security.Cryptography.X509Certificates;
using Orleans.Configuration;
using PayApi.Gateway.Cluster;
using PayApi.Storage.DynamoDB;

namespace PayApi.Host;

/// <summary>
/// The gateway-only role: an Orleans client that finds the silos' gateways in the DynamoDB membership table (or on
/// this machine's gateway port with localhost clustering) and rides out the loss of one.
/// </summary>
public static class ClientSetup
{
    public static void Configure(IClientBuilder client, PayApiSettings settings, X509Certificate2? clusterCertificate)
    {
        ConfigureClustering(client, settings);
        ConfigureRuntime(client, settings);
        client.Services.AddSingleton<IClientConnectionRetryFilter, GatewayConnectRetry>();
        if (clusterCertificate is not null)
        {
            client.UseTls(clusterCertificate, o => ClusterTls.Configure(o, clusterCertificate));
        }
    }

    public static void ConfigureClustering(IClientBuilder client, PayApiSettings settings)
    {
        var orleans = settings.Orleans;
        if (settings.UsesDynamoDBClustering)
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = orleans.ClusterId;
                o.ServiceId = orleans.ServiceId;
            });
            client.UseDynamoDBClustering();
        }
        else
        {
            client.UseLocalhostClustering(orleans.GatewayPort, orleans.ServiceId, orleans.ClusterId);
        }
    }

    public static void ConfigureRuntime(IClientBuilder client, PayApiSettings settings)
    {
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = SiloSetup.ResponseTimeout);
        client.Services.Configure<FailoverOptions>(o => o.RetryBudget = settings.Orleans.FailoverRetryBudget);
        client.AddOutgoingGrainCallFilter<FailoverRetryFilter>();
    }
}
