using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace PayApi.Gateway.Http;

/// <summary>Network settings (<c>PayApi:Network</c>).</summary>
public sealed class NetworkOptions
{
    /// <summary>
    /// Load balancers and proxies (IP addresses or CIDR ranges) whose <c>X-Forwarded-For</c> names the client.
    /// Empty (the default): the header is ignored and the peer is the client.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Entries that are neither an IP address nor a CIDR range.</summary>
    public IEnumerable<string> InvalidTrustedProxies() =>
        TrustedProxies.Where(p => !IPAddress.TryParse(p, out _) && !System.Net.IPNetwork.TryParse(p, out _));
}

/// <summary>
/// Reads the client's address from <c>X-Forwarded-For</c> when, and only when, the peer is a trusted proxy: every
/// per-address limit keys on it, so an untrusted header would let anyone pick a fresh address per request.
/// </summary>
public static class ForwardedAddresses
{
    public static IServiceCollection AddPayApiForwardedAddresses(this IServiceCollection services, NetworkOptions network)
    {
        services.AddSingleton(network);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            // Walk back through every trusted hop; the first untrusted one is the client.
            o.ForwardLimit = null;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var entry in network.TrustedProxies)
            {
                if (IPAddress.TryParse(entry, out var proxy))
                {
                    o.KnownProxies.Add(proxy);
                }
                else
                {
                    o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
                }
            }
        });
        return services;
    }

    /// <summary>
    /// Off unless proxies are configured: the middleware trusts every peer when it knows of none.
    /// </summary>
    public static WebApplication UsePayApiForwardedAddresses(this WebApplication app)
    {
        if (app.Services.GetRequiredService<NetworkOptions>().TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        return app;
    }
}
