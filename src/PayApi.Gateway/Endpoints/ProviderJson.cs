using PayApi.Contracts;

namespace PayApi.Gateway.Endpoints;

/// <summary>Provider descriptions as docs/api.md shapes them.</summary>
internal static class ProviderJson
{
    public static object Of(ProviderInfo p) => new
    {
        id = p.Id,
        name = p.Name,
        auth = p.Auth,
        mfa = p.Mfa,
        capabilities = p.Capabilities,
        fields = p.Fields.Select(f => new { name = f.Name, label = f.Label, secret = f.Secret }),
    };
}
