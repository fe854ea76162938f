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
        if (limits.PermitsPerSecond < 1 || limits.Burst < 1)
        {
            throw new ArgumentException("PayApi:RateLimit:PermitsPerSecond and PayApi:RateLimit:Burst must be at least 1.");
        }

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
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                await Problems.WriteAsync(rejected.HttpContext, ErrorCodes.RateLimited, $"Too many requests. Retry after {retryAfter} s.", retryAfter);
            };
        });
        return services;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");

    // Only the identity part of a credential names the bucket; nothing here authenticates.
    private static string CallerKey(HttpContext context)
    {
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

        return "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
