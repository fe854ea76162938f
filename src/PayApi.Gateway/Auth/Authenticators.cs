using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PayApi.Contracts;

namespace PayApi.Gateway.Auth;

/// <summary>The three ways callers prove who they are (docs/api.md, "Who calls what").</summary>
public static class Authenticators
{
    private const string ClientKey = "payapi.client_id";
    private const string TokenKey = "payapi.token";

    /// <summary>The authenticated client id of a developer call.</summary>
    public static string ClientId(this HttpContext context) =>
        context.Items[ClientKey] as string ?? throw PayApiException.Unauthorized("Authenticate with HTTP Basic client_id:client_secret.");

    /// <summary>The validated token of a per-connection call.</summary>
    public static AccessTokenClaims Token(this HttpContext context) =>
        context.Items[TokenKey] as AccessTokenClaims ?? throw PayApiException.Unauthorized("Authenticate with a Bearer access token.");

    public static TokenGrant Grant(this AccessTokenClaims claims) => new(claims.ClientId, claims.Generation);

    public static ValueTask<object?> RequireAdmin(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var expected = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.AdminToken;
        var presented = Bearer(context.Request);
        if (presented is null || string.IsNullOrEmpty(expected) || !FixedTimeEquals(presented, expected))
        {
            throw Refused(context, presented is not null, "A valid operator bearer token is required.");
        }

        return next(invocation);
    }

    public static async ValueTask<object?> RequireClient(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            throw PayApiException.Unauthorized("Authenticate with HTTP Basic client_id:client_secret.");
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            throw Refused(context, true, "The Basic credentials are not valid base64.");
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        var clientId = colon > 0 ? decoded[..colon] : "";
        var secret = colon > 0 ? decoded[(colon + 1)..] : "";
        if (!Ids.IsWellFormed(clientId, Ids.ClientPrefix) || secret.Length is 0 or > 256
            || !await context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>(clientId).VerifySecretAsync(secret))
        {
            throw Refused(context, true, "The client id or secret is not valid.");
        }

        context.Items[ClientKey] = clientId;
        return await next(invocation);
    }

    public static async ValueTask<object?> RequireAccessToken(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var token = Bearer(context.Request);
        var claims = token is null ? null : await context.RequestServices.GetRequiredService<AccessTokens>().ValidateAsync(token);
        context.Items[TokenKey] = claims ?? throw Refused(context, token is not null, "The access token is missing or not valid.");
        return await next(invocation);
    }

    /// <summary>Set when presented credentials were wrong (a guess), as opposed to missing or revoked.</summary>
    public const string GuessKey = "payapi.credential-guess";

    // A wrong secret, admin token or a token that fails its signature counts towards the address's failure
    // budget; a missing header or a well-signed token of a disconnected connection does not.
    private static PayApiException Refused(HttpContext context, bool presented, string detail)
    {
        if (presented)
        {
            context.Items[GuessKey] = true;
        }

        return PayApiException.Unauthorized(detail);
    }

    private static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
