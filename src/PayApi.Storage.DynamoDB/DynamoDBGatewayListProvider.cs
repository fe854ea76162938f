using System.Globalization;
using Amazon.DynamoDBv2;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using Rows = PayApi.Storage.DynamoDB.DynamoDBMembershipRows;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// The gateways an Orleans client (a gateway-only process) may connect to, read from the membership table that
/// <see cref="DynamoDBMembershipTable"/> keeps: every Active silo with a proxy port, as
/// <c>gwy.tcp://ip:proxyPort/generation</c>. Reads are strongly consistent, so a silo that has just been declared
/// dead is not offered again; Orleans refreshes the list every <see cref="GatewayOptions.GatewayListRefreshPeriod"/>.
/// </summary>
public sealed class DynamoDBGatewayListProvider(
    IAmazonDynamoDB client,
    DynamoDBTables tables,
    IOptions<DynamoDBOptions> options,
    IOptions<ClusterOptions> clusterOptions,
    IOptions<GatewayOptions> gatewayOptions) : IGatewayListProvider
{
    private static readonly string[] Projection = [Rows.Row, Rows.Status, Rows.ProxyPort];

    private readonly string _table = options.Value.MembershipTable;
    private readonly string _clusterId = clusterOptions.Value.ClusterId
        ?? throw new InvalidOperationException("ClusterOptions.ClusterId is required for DynamoDB membership.");

    /// <summary>How old Orleans may let the list get before asking again.</summary>
    public TimeSpan MaxStaleness { get; } = gatewayOptions.Value.GatewayListRefreshPeriod;

    /// <summary>Always: the list follows the membership table.</summary>
    public bool IsUpdatable => true;

    [Obsolete("Use InitializeGatewayListProviderAsync instead.")]
    public Task InitializeGatewayListProvider() => InitializeGatewayListProviderAsync(CancellationToken.None);

    [Obsolete("Use GetGatewaysAsync instead.")]
    public Task<IList<Uri>> GetGateways() => GetGatewaysAsync(CancellationToken.None);

    /// <summary>
    /// Makes sure the table exists (as a silo would): a client that starts before any silo then sees an empty
    /// list and retries, instead of failing on a missing table.
    /// </summary>
    public Task InitializeGatewayListProviderAsync(CancellationToken cancellationToken = default) =>
        tables.EnsureAsync(Rows.Table(options.Value), cancellationToken);

    /// <summary>The gateway URIs of the cluster's Active silos that have a proxy port.</summary>
    public async Task<IList<Uri>> GetGatewaysAsync(CancellationToken cancellationToken = default)
    {
        var rows = await Rows.QueryClusterAsync(client, _table, _clusterId, Projection, cancellationToken);
        var activeStatus = ((int)SiloStatus.Active).ToString(CultureInfo.InvariantCulture);
        var gateways = new List<Uri>();
        foreach (var item in rows)
        {
            if (Rows.IsVersionRow(item)
                || !(item.TryGetValue(Rows.Status, out var status) && status.N == activeStatus)
                || !(item.TryGetValue(Rows.ProxyPort, out var port) && int.TryParse(port.N, CultureInfo.InvariantCulture, out var proxyPort) && proxyPort > 0))
            {
                continue;
            }

            // The row is keyed by the silo's own endpoint; clients connect to its proxy port instead.
            var silo = SiloAddress.FromParsableString(item[Rows.Row].S);
            gateways.Add(SiloAddress.New(silo.Endpoint.Address, proxyPort, silo.Generation).ToGatewayUri());
        }

        return gateways;
    }
}
