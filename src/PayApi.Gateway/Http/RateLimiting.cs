using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using PayApi.Contracts;

namespace PayApi.Gateway.Http;

/// <summary>Request rate per caller (<c>PayApi:RateLimit</c>): a token bucket refilled every second.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Sustained requests per second per caller.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>Requests a caller may make in a burst.</summary>
    public int Burst { get; set; } = 100;

    /// <summary>
    /// Failed authentications (401) one remote address may make per minute; past it, every credentialed request
    /// from that address is refused with 429 before its credentials are checked.
    /// </summary>
    public int AuthFailuresPerMinute { get; set; } = 30;
}

/// <summary>
/// One token bucket per caller: a developer client (by the Basic user name), a connection token, or, for
/// unauthenticated calls such as the Connect page, the remote address. Over the limit: <c>429 rate_limited</c>
/// with <c>Retry-After</c>. Probes are never limited.
/// </summary>
public static class RateLimiting
{
    public static IServiceCollection AddPayApiRateLimiting(this IServiceCollection services, RateLimitOptions limits)
    {
        if (limits.PermitsPerSecond < 1 || limits.Burst < 1 || limits.AuthFailuresPerMinute < 1)
        {
            throw new ArgumentException("PayApi:RateLimit:PermitsPerSecond, Burst and AuthFailuresPerMinute must be at least 1.");
        }

        services.AddSingleton(new AuthFailureThrottle(limits.AuthFailuresPerMinute));

        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsProbe(context.Request.Path)
                    ? RateLimitPartition.GetNoLimiter("probe")
                    : RateLimitPartition.GetTokenBucketLimiter(CallerKey(context), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limits.Burst,
                        TokensPerPeriod = limits.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            options.OnRejected = async (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? PayApiException.WholeSeconds(wait) : 1;
                await Problems.WriteAsync(rejected.HttpContext, ErrorCodes.RateLimited, $"Too many requests. Retry after {retryAfter} s.", retryAfter);
            };
        });
        return services;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");

    // Only the identity part of a credential names the bucket; nothing here authenticates. Made-up identities
    // only buy 401s, which AuthFailureThrottle counts per address. The Connect page authenticates by its
    // session id, never by header, so a header cannot move its calls out of the address's bucket.
    private static string CallerKey(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/connect"))
        {
            return AddressKey(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && Ids.IsWellFormed(decoded[..colon], Ids.ClientPrefix))
                {
                    return "client:" + decoded[..colon];
                }
            }
            catch (FormatException)
            {
                // Falls through to the address: a malformed header is no identity.
            }
        }
        else if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length < 4096)
        {
            return "token:" + header[7..].Trim();
        }

        return AddressKey(context);
    }

    internal static string AddressKey(HttpContext context) =>
        "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}

/// <summary>
/// Guessing credentials: each 401 spends a token of the caller's address (a bucket of
/// <c>AuthFailuresPerMinute</c>, refilled evenly over a minute). An address with no tokens left gets
/// <c>429 rate_limited</c> for any request that carries credentials, before they are checked, so a right
/// guess cannot be told from a wrong one while it is throttled.
/// </summary>
public sealed class AuthFailureThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly int _retryAfterSeconds;

    public AuthFailureThrottle(int perMinute)
    {
        _retryAfterSeconds = (int)Math.Ceiling(60.0 / perMinute);
        _failures = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Seconds until the address may try again, or null when it may try now.</summary>
    public int? RetryAfter(string addressKey) =>
        _failures.GetStatistics(addressKey) is { CurrentAvailablePermits: <= 0 } ? _retryAfterSeconds : null;

    public void RecordFailure(string addressKey)
    {
        using var _ = _failures.AttemptAcquire(addressKey);
    }

    public void Dispose() => _failures.Dispose();
}
