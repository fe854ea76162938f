using System.Net;
using Microsoft.AspNetCore.Http;

namespace PayApi.Sandbox.Bank;

/// <summary>
/// Who the bank believes is calling. Tests and the dev host reach the sandbox through loopback
/// tinyproxy instances, so every TCP peer is 127.0.0.1; the proxy's <c>Via</c> name is what tells
/// one "IP" from another, the way a real bank tells proxies apart by their addresses.
/// </summary>
internal static class BankClientAddress
{
    public static string Of(HttpRequest request) =>
        FromVia(request.Headers.Via) ?? request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? IPAddress.None.ToString();

    /// <summary>
    /// The received-by token of the last Via entry (the hop nearest the bank), e.g. <c>proxy-a</c> from
    /// <c>1.1 proxy-a (tinyproxy/1.11.2)</c>; null when there is no usable Via header.
    /// </summary>
    public static string? FromVia(IEnumerable<string?> viaHeaders)
    {
        string? last = null;
        foreach (var header in viaHeaders)
        {
            if (string.IsNullOrWhiteSpace(header))
            {
                continue;
            }

            // Each proxy appends its own entry, so the bank's immediate peer is the final one.
            foreach (var entry in StripComments(header).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var tokens = entry.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (tokens.Length >= 2)
                {
                    last = tokens[1];
                }
            }
        }

        return last;
    }

    // Comments such as "(tinyproxy/1.11.2)" may contain commas of their own; drop them before splitting.
    private static string StripComments(string header)
    {
        var result = new System.Text.StringBuilder(header.Length);
        var depth = 0;
        foreach (var c in header)
        {
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }
}
