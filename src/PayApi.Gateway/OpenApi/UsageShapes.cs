using System.ComponentModel;

namespace PayApi.Gateway.OpenApi;

// The usage endpoints' JSON bodies, named for the OpenAPI document (see WireShapes.cs).

[Description("Calls to one endpoint in the month.")]
public sealed record UsageLineItemShape(
    [property: Description("Method and route, e.g. GET /v1/balance.")] string Endpoint,
    [property: Description("Calls made with access tokens.")] long ApiCalls);

[Description("A client's usage in one month. Calls are flushed from the gateways every 10 s, so the figure can run up to that far behind.")]
public sealed record UsageResponse(
    string ClientId,
    [property: Description("YYYY-MM, UTC.")] string Month,
    [property: Description("Calls made with access tokens, one unit each.")] long ApiCalls,
    [property: Description("Connections live (connected, not yet disconnected) on any day of the month: the billing unit.")] int ActiveConnections,
    IReadOnlyList<UsageLineItemShape> LineItems);

[Description("One client's row of the operator's usage export.")]
public sealed record ClientUsageRow(string ClientId, string? Name, string Month, long ApiCalls, int ActiveConnections, IReadOnlyList<UsageLineItemShape> LineItems);

[Description("Every client's usage in one month.")]
public sealed record UsageExport(string Month, IReadOnlyList<ClientUsageRow> Data);
