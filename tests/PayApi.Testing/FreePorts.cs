using System.Net;
using System.Net.Sockets;

namespace PayApi.Testing;

/// <summary>Loopback ports free at the moment of asking; whoever binds one later must still expect a race.</summary>
public static class FreePorts
{
    /// <summary>Distinct free ports: every listener stays open until all ports are read, so none repeats.</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    public static int Take() => Take(1)[0];
}
