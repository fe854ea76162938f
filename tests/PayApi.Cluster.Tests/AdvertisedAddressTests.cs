using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PayApi.Host;
using Xunit;

namespace PayApi.Cluster.Tests;

/// <summary>
/// On ECS a silo advertises its task's private address, read from the container metadata endpoint v4 (here a real
/// Kestrel answering what ECS answers); a configured address wins; a broken endpoint stops start-up clearly.
/// </summary>
public sealed class AdvertisedAddressTests
{
    // The shape of ECS's container metadata v4 for an awsvpc task (AWS's documented example, trimmed).
    private const string Metadata = """
        {"DockerId":"ea32192c8553fbff06c9340478a2ff089b2bb5646fb718b4ee206641c9086d66","Name":"payapi",
         "Networks":[{"NetworkMode":"awsvpc","IPv4Addresses":["10.0.2.106"],"AttachmentIndex":0,
                      "MACAddress":"12:37:8e:a6:53:59","IPv4SubnetCIDRBlock":"10.0.2.0/24"}]}
        """;

    [Fact]
    public async Task The_task_address_comes_from_the_container_metadata_endpoint()
    {
        await using var endpoint = await MetadataEndpointAsync(Metadata);

        var address = await AdvertisedAddress.ResolveAsync(null, endpoint.Url, CancellationToken.None);

        Assert.Equal(IPAddress.Parse("10.0.2.106"), address);
    }

    [Fact]
    public async Task A_configured_address_wins_and_without_either_it_is_loopback()
    {
        Assert.Equal(IPAddress.Parse("10.1.2.3"), await AdvertisedAddress.ResolveAsync("10.1.2.3", "http://127.0.0.1:1/unused", CancellationToken.None));
        Assert.Equal(IPAddress.Loopback, await AdvertisedAddress.ResolveAsync(null, null, CancellationToken.None));
    }

    [Fact]
    public async Task A_metadata_endpoint_that_is_down_or_names_no_address_stops_start_up()
    {
        await using var empty = await MetadataEndpointAsync("""{"Networks":[{"NetworkMode":"awsvpc","IPv4Addresses":[]}]}""");
        var none = await Assert.ThrowsAsync<SettingsException>(() => AdvertisedAddress.ResolveAsync(null, empty.Url, CancellationToken.None));
        Assert.Contains("PayApi:Orleans:AdvertisedIp", none.Message, StringComparison.Ordinal);

        var port = PayApi.Testing.FreePorts.Take();
        var down = await Assert.ThrowsAsync<SettingsException>(() => AdvertisedAddress.ResolveAsync(null, $"http://127.0.0.1:{port}/v4/x", CancellationToken.None));
        Assert.Contains(AdvertisedAddress.MetadataVariable, down.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", null)]
    [InlineData("""{"Networks":[{"IPv4Addresses":["fe80::1","10.9.8.7"]}]}""", "10.9.8.7")]
    [InlineData("""{"Networks":"nope"}""", null)]
    public void Only_an_ipv4_address_of_the_networks_is_taken(string json, string? expected)
    {
        Assert.Equal(expected is null ? null : IPAddress.Parse(expected), AdvertisedAddress.ParseTaskAddress(json));
    }

    private static async Task<MetadataServer> MetadataEndpointAsync(string body)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/v4/{id}", () => Results.Text(body, "application/json"));
        await app.StartAsync();
        return new MetadataServer(app, app.Urls.First() + "/v4/ea32192c");
    }

    private sealed record MetadataServer(WebApplication App, string Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
