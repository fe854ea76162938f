namespace PayApi.Gateway.OpenApi;

/// <summary>The document's tags: who calls an endpoint, read from its path and security scheme (docs/api.md "Who calls what").</summary>
internal static class ApiTags
{
    public const string Operator = "Operator";
    public const string Developer = "Developer";
    public const string Webhooks = "Webhooks";
    public const string PerConnection = "Per connection";
    public const string Connect = "Connect";
    public const string Service = "Service";

    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        [Operator] = "The operator's calls, with the admin bearer token: clients, master keys, failure bundles, usage.",
        [Developer] = "A developer's backend, with HTTP Basic client_id:client_secret: providers, connect sessions, connections, usage.",
        [Webhooks] = "A developer's webhook endpoint, signing secret and event log (HTTP Basic client credentials).",
        [PerConnection] = "Reads and actions for one end-user's connection, with that connection's bearer access token.",
        [Connect] = "The end-user's Connect page and the JSON it calls; the connect session id in the path is the capability.",
        [Service] = "Health and readiness for load balancers; no authentication.",
    };

    public static string For(string path, string? security) =>
        path.StartsWith("/admin/", StringComparison.Ordinal) ? Operator
        : path.StartsWith("/v1/webhook", StringComparison.Ordinal) ? Webhooks
        : security == ApiSecurityMetadata.AccessToken ? PerConnection
        : security == ApiSecurityMetadata.Client ? Developer
        : path.StartsWith("/connect", StringComparison.Ordinal) ? Connect
        : Service;
}
