using System.Diagnostics;
using OpenTelemetry;

namespace PayApi.Host;

/// <summary>
/// Runs on every span before it is exported and keeps only what SECURITY.md allows: a server span names its route
/// template (never the raw path, which can carry a connect session capability or an end-user id), a client span its
/// scheme, host and port (never the path or query, which can carry provider ids or keys), no span any header, query,
/// client address or user agent, and an Orleans span only its interface, method and grain type (never a grain id,
/// which can be a session id).
/// </summary>
public sealed class TelemetryScrubber : BaseProcessor<Activity>
{
    public const string OrleansSourcePrefix = "Microsoft.Orleans";

    private static readonly HashSet<string> OrleansKept = new(StringComparer.Ordinal)
    {
        "rpc.system", "rpc.service", "rpc.method", "orleans.grain.type", "orleans.activation.cause", "error.type",
    };

    private static readonly HashSet<string> AlwaysDropped = new(StringComparer.Ordinal)
    {
        "url.query", "user_agent.original", "client.address", "client.port", "network.peer.address", "network.peer.port",
        "http.url", "http.target", "http.user_agent", "http.client_ip", "enduser.id",
    };

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Source.Name.StartsWith(OrleansSourcePrefix, StringComparison.Ordinal))
        {
            foreach (var tag in Tags(data))
            {
                if (!OrleansKept.Contains(tag))
                {
                    data.SetTag(tag, null);
                }
            }

            return;
        }

        foreach (var tag in Tags(data))
        {
            if (AlwaysDropped.Contains(tag) || tag.StartsWith("http.request.header.", StringComparison.Ordinal)
                || tag.StartsWith("http.response.header.", StringComparison.Ordinal))
            {
                data.SetTag(tag, null);
            }
        }

        if (data.Kind == ActivityKind.Server)
        {
            ScrubServer(data);
        }
        else if (data.GetTagItem("url.full") is not null || data.GetTagItem("url.path") is not null)
        {
            ScrubClient(data);
        }
    }

    private static void ScrubServer(Activity data)
    {
        var method = data.GetTagItem("http.request.method") as string ?? "HTTP";
        var route = data.GetTagItem("http.route") as string;
        data.SetTag("url.full", null);
        data.SetTag("url.path", route);
        data.DisplayName = route is null ? method : method + " " + route;
    }

    private static void ScrubClient(Activity data)
    {
        var method = data.GetTagItem("http.request.method") as string ?? "HTTP";
        data.SetTag("url.path", null);
        data.SetTag("url.full", data.GetTagItem("url.full") is string full && Uri.TryCreate(full, UriKind.Absolute, out var uri)
            ? uri.GetLeftPart(UriPartial.Authority)
            : null);
        data.DisplayName = method;
    }

    private static List<string> Tags(Activity data)
    {
        var keys = new List<string>();
        foreach (var tag in data.TagObjects)
        {
            keys.Add(tag.Key);
        }

        return keys;
    }
}
