using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PayApi.Grains.Webhooks;

/// <summary>
/// The named HttpClient deliveries go through: redirects are not followed, no proxy, and every connection is made by
/// <see cref="ConnectAsync"/> to an address <see cref="WebhookTargetPolicy"/> has just checked.
/// </summary>
public static class WebhookHttp
{
    public const string ClientName = "PayApi.Webhooks";

    public static IHttpClientBuilder AddWebhookHttpClient(this IServiceCollection services) =>
        services.AddHttpClient(ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan) // each attempt has its own timeout
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var policy = sp.GetRequiredService<WebhookTargetPolicy>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectCallback = (context, ct) => ConnectAsync(policy, context, ct),
                };
            });

    /// <summary>Resolves the host, refuses it unless every address is allowed, and connects to a checked address.</summary>
    public static async ValueTask<Stream> ConnectAsync(WebhookTargetPolicy policy, SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await policy.ResolveAsync(context.DnsEndPoint.Host, ct);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }
}
