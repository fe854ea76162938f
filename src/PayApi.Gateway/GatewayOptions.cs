namespace PayApi.Gateway;

/// <summary>Gateway settings bound from the <c>PayApi</c> configuration section.</summary>
public sealed class GatewayOptions
{
    /// <summary>The operator bearer token (<c>PayApi:AdminToken</c>); the host fills it from the data dir when unset.</summary>
    public string AdminToken { get; set; } = "";

    /// <summary>Public base URL used in <c>connect_url</c>; when empty, an address the server listens on (never the request's Host).</summary>
    public string? PublicUrl { get; set; }
}
