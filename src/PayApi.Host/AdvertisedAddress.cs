using System.Net;
using System.Text.Json;

namespace PayApi.Host;

/// <summary>
/// The address other silos and gateways reach this silo at: <c>PayApi:Orleans:AdvertisedIp</c> when set; else, on
/// ECS, the task's private address from the container metadata endpoint (<c>ECS_CONTAINER_METADATA_URI_V4</c>,
/// its <c>Networks[0].IPv4Addresses[0]</c>); else loopback, for one machine.
/// </summary>
public static class AdvertisedAddress
{
    public const string MetadataVariable = "ECS_CONTAINER_METADATA_URI_V4";

    public static async Task<IPAddress> ResolveAsync(string? configured, string? metadataUri, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return IPAddress.Parse(configured);
        }

        if (string.IsNullOrEmpty(metadataUri))
        {
            return IPAddress.Loopback;
        }

        // The endpoint is link-local to the task and answers at once; a slow or broken one is a broken task.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string body;
        try
        {
            body = await http.GetStringAsync(metadataUri, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            throw new SettingsException($"{MetadataVariable} is set but its metadata endpoint did not answer ({e.GetType().Name}); set PayApi:Orleans:AdvertisedIp instead.");
        }

        return ParseTaskAddress(body) ?? throw new SettingsException(
            $"The ECS container metadata at {MetadataVariable} names no IPv4 address (Networks[].IPv4Addresses); set PayApi:Orleans:AdvertisedIp instead.");
    }

    /// <summary>The first IPv4 address of the container's networks, or null.</summary>
    public static IPAddress? ParseTaskAddress(string metadataJson)
    {
        try
        {
            using var document = JsonDocument.Parse(metadataJson);
            if (!document.RootElement.TryGetProperty("Networks", out var networks) || networks.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var network in networks.EnumerateArray())
            {
                if (network.TryGetProperty("IPv4Addresses", out var addresses) && addresses.ValueKind == JsonValueKind.Array)
                {
                    foreach (var address in addresses.EnumerateArray())
                    {
                        if (address.ValueKind == JsonValueKind.String && IPAddress.TryParse(address.GetString(), out var ip)
                            && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                        {
                            return ip;
                        }
                    }
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
