using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PayApi.Gateway.Http;

/// <summary>
/// The base of the links we hand out (<c>connect_url</c>): <c>PayApi:PublicUrl</c>, or, when that is unset (development),
/// an address this server is bound to. Never the request's <c>Host</c> header: whoever sends the request chooses it,
/// and a Connect link on their domain would collect an end-user's bank credentials.
/// </summary>
public sealed partial class PublicBaseUrl(IOptions<GatewayOptions> options, IServer server, ILogger<PublicBaseUrl> logger)
{
    private string? _value;

    public string Value => _value ??= Resolve();

    private string Resolve()
    {
        if (options.Value.PublicUrl is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/');
        }

        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(BindingAddress.Parse)
            .OrderBy(a => IsWildcard(a.Host) ? 1 : 0)
            .FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no listening address; set PayApi:PublicUrl.");
        var host = IsWildcard(bound.Host) ? "localhost" : bound.Host;
        var url = $"{bound.Scheme}://{host}:{bound.Port}";
        LogFallback(logger, url);
        return url;
    }

    // How Kestrel spells "every interface": a link needs a host an end-user can reach.
    private static bool IsWildcard(string host) => host is "+" or "*" or "0.0.0.0" or "[::]" or "::";

    [LoggerMessage(Level = LogLevel.Information, Message = "PayApi:PublicUrl is unset: connect_url links use {Url}, an address this server listens on. Set PayApi:PublicUrl to the address end-users reach.")]
    private static partial void LogFallback(ILogger logger, string url);
}
