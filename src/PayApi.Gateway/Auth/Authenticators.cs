using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PayApi.Contracts;
using PayApi.Gateway.Http;
using PayApi.Gateway.OpenApi;
using PayApi.Gateway.Usage;

namespace PayApi.Gateway.Auth;

/// <summary>
/// The three ways callers prove who they are (docs/api.md, "Who calls what"). Every check of a presented credential
/// goes through <see cref="AuthFailureThrottle"/>; a caller's request-rate bucket (<see cref="CallerLimits"/>) is
/// charged only once the check succeeded, under the identity it proved.
/// </summary>
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

    /// <summary>Guards a group with <paramref name="authenticate"/>; its calls are then limited per caller, not per address.</summary>
    public static RouteGroupBuilder RequireCaller(this RouteGroupBuilder group, Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> authenticate) =>
        group.AddEndpointFilter(authenticate).WithMetadata(CallerLimits.Authenticated, SecurityOf(authenticate));

    // The OpenAPI document's security scheme of a group, read from the authenticator that guards it.
    private static ApiSecurityMetadata SecurityOf(Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> authenticate) =>
        authenticate.Method.Name switch
        {
            nameof(RequireAdmin) => new(ApiSecurityMetadata.Admin),
            nameof(RequireClient) => new(ApiSecurityMetadata.Client),
            nameof(RequireAccessToken) => new(ApiSecurityMetadata.AccessToken),
            _ => throw new ArgumentException("An authenticator of this class is required.", nameof(authenticate)),
        };

    public static async ValueTask<object?> RequireAdmin(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var expected = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.AdminToken;
        var presented = Bearer(context.Request);
        if (presented is null || string.IsNullOrEmpty(expected)
            || !await CheckAsync(context, "admin", presented, () => Task.FromResult(FixedTimeEquals(presented, expected))))
        {
            throw PayApiException.Unauthorized("A valid operator bearer token is required.");
        }

        Charge(context, "admin");
        return await next(invocation);
    }

    public static async ValueTask<object?> RequireClient(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            throw PayApiException.Unauthorized("Authenticate with HTTP Basic client_id:client_secret.");
        }

        string? decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            decoded = null;
        }

        var colon = decoded?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        var clientId = colon > 0 ? decoded![..colon] : "";
        var secret = colon > 0 ? decoded![(colon + 1)..] : "";

        // A malformed header or an ill-formed id names nobody: it is a guess charged to the address alone.
        var wellFormed = Ids.IsWellFormed(clientId, Ids.ClientPrefix) && secret.Length is > 0 and <= 256;
        if (!await CheckAsync(context, wellFormed ? "client:" + clientId : null, decoded ?? header, () => wellFormed
                ? context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IClientGrain>(clientId).VerifySecretAsync(secret)
                : Task.FromResult(false)))
        {
            throw PayApiException.Unauthorized(decoded is null ? "The Basic credentials are not valid base64." : "The client id or secret is not valid.");
        }

        Charge(context, "client:" + clientId);
        context.Items[ClientKey] = clientId;
        return await next(invocation);
    }

    public static async ValueTask<object?> RequireAccessToken(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var services = context.RequestServices;
        var token = Bearer(context.Request);

        // A token whose signature this gateway verified before needs no check, and so no failure budget: it cannot
        // fail one. Every other token goes the whole way.
        if (token is null || !services.GetRequiredService<AccessTokens>().TryRecall(token, out var claims))
        {
            claims = await VerifyAccessTokenAsync(context, token);
        }

        // The verified identity, not the text: a re-encoded copy of the same token shares its bucket.
        Charge(context, claims.CallerKey);
        services.GetRequiredService<UsageMeter>().Count(claims.ClientId, context);
        context.Items[TokenKey] = claims;
        return await next(invocation);
    }

    private static async Task<AccessTokenClaims> VerifyAccessTokenAsync(HttpContext context, string? token)
    {
        AccessTokenClaims? claims = null;
        var claimed = token is null ? null : AccessTokens.ClaimedIdentity(token);

        // A client that proved its secret here vouches for its connections: a token it just received is no stranger's guess.
        if (token is null || !await CheckAsync(context, claimed is { } c ? "connection:" + c.ConnectionId : null, token, async () =>
            {
                claims = await context.RequestServices.GetRequiredService<AccessTokens>().ValidateAsync(token);
                return claims is not null;
            }, claimed is { } v ? "client:" + v.ClientId : null))
        {
            throw PayApiException.Unauthorized("The access token is missing or not valid.");
        }

        return claims!;
    }

    private static Task<bool> CheckAsync(HttpContext context, string? identity, string credential, Func<Task<bool>> verify, string? vouchedBy = null) =>
        context.RequestServices.GetRequiredService<AuthFailureThrottle>().CheckAsync(identity, RateLimiting.AddressKey(context), credential, verify, vouchedBy);

    private static void Charge(HttpContext context, string caller) =>
        context.RequestServices.GetRequiredService<CallerLimits>().Charge(caller);

    private static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
