using System.Net;

namespace PayApi.Scraping;

/// <summary>
/// HTTP clients for keeping a session alive without a browser: through the connection's proxy (loopback
/// included), with its cookies, never following redirects, so a redirect to a login page is seen as such.
/// </summary>
public static class KeepAliveClientFactory
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A client the caller disposes; <paramref name="proxy"/> null goes out directly (never via the environment's proxy).</summary>
    public static HttpClient Create(Uri? proxy, CookieContainer cookies)
    {
        ArgumentNullException.ThrowIfNull(cookies);
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            UseProxy = proxy is not null,
        };
        if (proxy is not null)
        {
            handler.Proxy = new WebProxy(new Uri(ProxyAddress.Key(proxy)))
            {
                // The default is already false; stated so that loopback and intranet hosts stay proxied.
                BypassProxyOnLocal = false,
                UseDefaultCredentials = false,
            };
        }

        return new HttpClient(handler, disposeHandler: true) { Timeout = DefaultTimeout };
    }
}
