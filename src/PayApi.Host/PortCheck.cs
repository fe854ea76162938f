using System.Net;
using System.Net.Sockets;

namespace PayApi.Host;

/// <summary>
/// Finds a port another process holds before anything starts, so the operator reads one line naming the setting
/// instead of a silo that starts, fails and logs its shutdown. (A port taken in the instant between this check and
/// the real bind still fails cleanly, only with more log lines.)
/// </summary>
internal static class PortCheck
{
    public static void EnsureFree(IEnumerable<string> urls, IPAddress? siloAddress, int siloPort, int gatewayPort)
    {
        foreach (var url in urls)
        {
            if (Endpoint(url) is { } endpoint && InUse(endpoint))
            {
                throw new SettingsException(
                    $"{url} is already in use by another process (setting --urls / ASPNETCORE_URLS). Stop that process, or choose another address, e.g. --urls http://127.0.0.1:8081.");
            }
        }

        if (siloAddress is null)
        {
            return;
        }

        var listenOn = IPAddress.IsLoopback(siloAddress) ? siloAddress : IPAddress.Any;
        foreach (var (key, port) in new[] { ("PayApi:Orleans:SiloPort", siloPort), ("PayApi:Orleans:GatewayPort", gatewayPort) })
        {
            if (port > 0 && InUse(new IPEndPoint(listenOn, port)))
            {
                throw new SettingsException(
                    $"port {port} is already in use by another process (setting {key}). Stop that process (another PayApi host?), or set {key} to a free port.");
            }
        }
    }

    private static IPEndPoint? Endpoint(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Port <= 0)
        {
            return null;
        }

        var host = uri.Host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, uri.Port);
        }

        return IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, uri.Port) : null;
    }

    private static bool InUse(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        catch (SocketException)
        {
            return false; // not ours to judge (an address this machine lacks): the real bind reports it
        }
    }
}
