using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using PayApi.Contracts;
using PayApi.Gateway.OpenApi;

namespace PayApi.Gateway.Endpoints;

/// <summary>Liveness and readiness for load balancers and orchestrators.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "alive" }))
            .WithSummary("Liveness: the process answers").Produces<StatusResponse>();

        app.MapGet("/readyz", async (IGrainFactory grains, IHostApplicationLifetime lifetime, HttpContext context) =>
        {
            // A stopping process tells the load balancer first, so new requests go elsewhere while in-flight ones finish.
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                throw new PayApiException(ErrorCodes.DependencyUnavailable, "This process is shutting down.");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await grains.GetGrain<IReadinessGrain>(0).CheckAsync().WaitAsync(timeout.Token);
                return Results.Json(new { status = "ready" });
            }
            catch (Exception ex) when (ex is not PayApiException)
            {
                throw new PayApiException(ErrorCodes.DependencyUnavailable, "The silo or its storage is not ready.");
            }
        })
        .WithSummary("Readiness: the silo joined and its storage is reachable").Produces<StatusResponse>();

        return app;
    }
}
