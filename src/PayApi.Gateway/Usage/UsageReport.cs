using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using PayApi.Contracts;

namespace PayApi.Gateway.Usage;

/// <summary>One client's usage in one month, as <c>GET /v1/usage</c> and the operator's export show it.</summary>
public sealed record UsageReport(string ClientId, string? Name, UsageMonth Month, long ApiCalls, int ActiveConnections, IReadOnlyList<UsageLineItem> LineItems)
{
    /// <summary>Reads a client's usage of a month from its records (calls flushed so far, and its connection counts).</summary>
    public static async Task<UsageReport> ReadAsync(IGrainFactory grains, string clientId, UsageMonth month, string? name = null)
    {
        var calls = grains.GetGrain<IClientUsageGrain>(UsageKeys.ClientMonth(clientId, month)).GetCallsAsync();
        var active = grains.GetGrain<IClientGrain>(clientId).GetActiveConnectionsAsync(month);
        var counted = await calls;
        var items = counted.ByEndpoint
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new UsageLineItem(e.Key, e.Value))
            .ToList();
        return new UsageReport(clientId, name, month, counted.Total, await active, items);
    }

    /// <summary>The <c>month</c> query parameter: <c>YYYY-MM</c>, the current month when absent, never a future one.</summary>
    public static UsageMonth RequestedMonth(HttpContext context, TimeProvider time)
    {
        var now = UsageMonth.Of(time.GetUtcNow());
        var text = context.Request.Query["month"].ToString();
        if (text.Length == 0)
        {
            return now;
        }

        if (!UsageMonth.TryParse(text, out var month))
        {
            throw PayApiException.Invalid("month must be a month as YYYY-MM, e.g. 2026-11.");
        }

        return month > now ? throw PayApiException.Invalid("month must not be in the future.") : month;
    }

    public object ToJson(bool withName = false) => withName
        ? new { client_id = ClientId, name = Name, month = Month.ToString(), api_calls = ApiCalls, active_connections = ActiveConnections, line_items = LineItems.Select(Json) }
        : new { client_id = ClientId, month = Month.ToString(), api_calls = ApiCalls, active_connections = ActiveConnections, line_items = LineItems.Select(Json) };

    private static object Json(UsageLineItem item) => new { endpoint = item.Endpoint, api_calls = item.ApiCalls };

    /// <summary>The operator's export as CSV (RFC 4180): a row per client, the input of a monthly invoice.</summary>
    public static string ToCsv(IEnumerable<UsageReport> reports)
    {
        var csv = new StringBuilder("client_id,name,month,api_calls,active_connections\r\n");
        foreach (var r in reports)
        {
            csv.Append(Field(r.ClientId)).Append(',').Append(Field(r.Name ?? "")).Append(',').Append(r.Month.ToString()).Append(',')
                .Append(r.ApiCalls.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(r.ActiveConnections.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        return csv.ToString();
    }

    // Quoted when it must be; a leading =, +, - or @ is defused so a spreadsheet shows the name instead of running it.
    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}

/// <summary>Calls to one endpoint in a usage report.</summary>
public sealed record UsageLineItem(string Endpoint, long ApiCalls);
