using Microsoft.AspNetCore.Http;
using PayApi.Contracts;

namespace PayApi.Gateway.Http;

/// <summary>
/// Applies <see cref="AuthFailureThrottle"/>: refuses credentialed calls from a throttled address and counts wrong
/// credentials. Behind a load balancer the address is the balancer's unless it is the client's (forwarded headers).
/// </summary>
internal sealed class AuthFailureMiddleware(RequestDelegate next, AuthFailureThrottle throttle)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var hasCredentials = context.Request.Headers.Authorization.Count > 0;
        var address = RateLimiting.AddressKey(context);
        if (hasCredentials && throttle.RetryAfter(address) is { } wait)
        {
            await Problems.WriteAsync(context, ErrorCodes.RateLimited, $"Too many failed authentications from this address. Retry after {wait} s.", wait);
            return;
        }

        await next(context);
        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized && context.Items.ContainsKey(Auth.Authenticators.GuessKey))
        {
            throttle.RecordFailure(address);
        }
    }
}
