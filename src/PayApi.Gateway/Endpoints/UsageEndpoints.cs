using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PayApi.Contracts;
using PayApi.Gateway.Auth;
using PayApi.Gateway.OpenApi;
using PayApi.Gateway.Usage;

namespace PayApi.Gateway.Endpoints;

/// <summary>Usage: a developer's own (<c>GET /v1/usage</c>) and every client's for the operator (<c>GET /admin/v1/usage</c>).</summary>
public static class UsageEndpoints
{
    // Clients read at once by the operator's export: enough to hide latency, few enough not to flood the silo.
    private const int ExportParallelism = 8;

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").RequireCaller(Authenticators.RequireClient)
            .MapGet("/usage", async (HttpContext context, IGrainFactory grains, TimeProvider time) =>
            {
                var report = await UsageReport.ReadAsync(grains, context.ClientId(), UsageReport.RequestedMonth(context, time));
                return Results.Json(report.ToJson());
            })
            .WithSummary("Get your usage in a month").Produces<UsageResponse>()
            .QueryParameter("month", "The month, YYYY-MM (UTC); the current month when absent. Not a future month.", example: "2026-11");

        app.MapGroup("/admin/v1").RequireCaller(Authenticators.RequireAdmin)
            .MapGet("/usage", async (HttpContext context, IGrainFactory grains, TimeProvider time) =>
            {
                var month = UsageReport.RequestedMonth(context, time);
                var clients = await grains.GetGrain<IClientDirectoryGrain>(0).ListAsync();
                var reports = new UsageReport[clients.Count];
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, clients.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = ExportParallelism, CancellationToken = context.RequestAborted },
                    async (i, _) =>
                    {
                        var info = await grains.GetGrain<IClientGrain>(clients[i].ClientId).GetAsync();
                        reports[i] = await UsageReport.ReadAsync(grains, clients[i].ClientId, month, info?.Name);
                    });

                // Clients created after the month ended had no usage in it.
                var rows = reports.Where((r, i) => UsageMonth.Of(clients[i].CreatedAt) <= month).ToList();
                return WantsCsv(context.Request)
                    ? Results.Text(UsageReport.ToCsv(rows), "text/csv; charset=utf-8")
                    : Results.Json(new { month = month.ToString(), data = rows.Select(r => r.ToJson(withName: true)) });
            })
            .WithSummary("Export every client's usage in a month").Produces<UsageExport>()
            .ProducesText("text/csv", "With Accept: text/csv, one RFC 4180 row per client: client_id,name,month,api_calls,active_connections.")
            .QueryParameter("month", "The month, YYYY-MM (UTC); the current month when absent. Not a future month.", example: "2026-11")
            .HeaderParameter("Accept", "application/json (default) or text/csv.", "text/csv");

        return app;
    }

    private static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
}
