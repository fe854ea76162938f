using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using PayApi.Contracts;
using PayApi.Gateway.Auth;

namespace PayApi.Gateway.Http;

/// <summary>Request rate per caller (<c>PayApi:RateLimit</c>): a token bucket refilled every second.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sustained requests per second per caller.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>Requests a caller may make in a burst.</summary>
    public int Burst { get; set; } = 100;

    /// <summary>
    /// Credential checks that may fail per minute, per guessed identity (a client id, the admin token, a connection)
    /// and per address for identities that never authenticated (see <see cref="AuthFailureThrottle"/>).
    /// </summary>
    public int AuthFailuresPerMinute { get; set; } = 30;
}

/// <summary>
/// Registers the limits: <see cref="CallerLimits"/> for request rate and <see cref="AuthFailureThrottle"/> for guessing.
/// Over a limit: <c>429 rate_limited</c> with <c>Retry-After</c>.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddPayApiRateLimiting(this IServiceCollection services, RateLimitOptions limits)
    {
        if (limits.PermitsPerSecond < 1 || limits.Burst < 1 || limits.AuthFailuresPerMinute < 1)
        {
            throw new ArgumentException("PayApi:RateLimit:PermitsPerSecond, Burst and AuthFailuresPerMinute must be at least 1.");
        }

        var callers = new CallerLimits(limits);
        services.AddSingleton(callers);
        services.AddSingleton(sp => new AuthFailureThrottle(limits.AuthFailuresPerMinute, sp.GetRequiredService<TimeProvider>()));
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = callers.Unauthenticated();
            options.OnRejected = async (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? PayApiException.WholeSeconds(wait) : 1;
                await Problems.WriteAsync(rejected.HttpContext, ErrorCodes.RateLimited, $"Too many requests. Retry after {retryAfter} s.", retryAfter);
            };
        });
        return services;
    }

    /// <summary>The caller's address: the peer, or the client a trusted proxy forwarded for (<see cref="NetworkOptions"/>).</summary>
    internal static string AddressKey(HttpContext context) =>
        "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}

/// <summary>
/// One token bucket per caller. An authenticated call is charged to the identity it proved (a client id, the admin,
/// a connection's token by connection id and <c>jti</c>), after it proved it; everything else (the Connect page,
/// open documents, unknown paths and methods) to its address before it runs, whatever credentials it carries.
/// Calls whose credentials fail are charged to <see cref="AuthFailureThrottle"/> instead. Probes are never limited.
/// </summary>
public sealed class CallerLimits : IDisposable
{
    /// <summary>Endpoint metadata of the groups whose calls authenticate, and so are charged per caller afterwards.</summary>
    internal static readonly object Authenticated = new AuthenticatedCalls();

    private readonly PartitionedRateLimiter<string> _buckets;

    public CallerLimits(RateLimitOptions limits)
    {
        _buckets = PartitionedRateLimiter.Create<string, string>(key => key.Length == 0
            ? RateLimitPartition.GetNoLimiter(key)
            : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.Burst,
                TokensPerPeriod = limits.PermitsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Spends one request of an authenticated caller, or throws <c>429 rate_limited</c>.</summary>
    public void Charge(string caller)
    {
        using var lease = _buckets.AttemptAcquire(caller);
        if (!lease.IsAcquired)
        {
            var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            throw new PayApiException(ErrorCodes.RateLimited, $"Too many requests. Retry after {PayApiException.WholeSeconds(wait)} s.").WithRetryAfter(wait);
        }
    }

    /// <summary>The limiter the middleware applies before routing's endpoint runs: per address, for calls no credential vouches for.</summary>
    public PartitionedRateLimiter<HttpContext> Unauthenticated() => _buckets.WithTranslatedKey<HttpContext>(UnauthenticatedKey, leaveOpen: true);

    public void Dispose() => _buckets.Dispose();

    // The empty key is the unlimited partition: probes, and authenticated groups that charge the caller themselves.
    private static string UnauthenticatedKey(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz")
        || context.GetEndpoint()?.Metadata.GetMetadata<AuthenticatedCalls>() is not null
            ? ""
            : RateLimiting.AddressKey(context);

    private sealed class AuthenticatedCalls;
}
