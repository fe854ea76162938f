using PayApi.Providers;

namespace PayApi.Host;

/// <summary>What a person starting the service needs to see: where it listens and how to try it.</summary>
internal static class Banner
{
    public static void Print(WebApplication app, string? adminTokenPath, string sandbox, HostRole role)
    {
        var url = app.ListeningAddresses().FirstOrDefault() ?? PayApiApp.DefaultUrl;
        if (role == HostRole.Silo)
        {
            Console.Out.WriteLine($"Orleans.PayApi is listening on {url} (role Silo: health probes only, {url}/healthz and {url}/readyz)");
            Console.Out.Flush();
            return;
        }

        var token = adminTokenPath is null ? "$PayApi__AdminToken" : $"$(cat {adminTokenPath})";
        var lines = new List<string>
        {
            "",
            $"Orleans.PayApi is listening on {url}" + (role == HostRole.Gateway ? " (role Gateway: an Orleans client of the cluster)" : ""),
            adminTokenPath is null ? "Admin token: from configuration (PayApi:AdminToken)." : $"Admin token: {adminTokenPath} (mode 0600)",
            "Providers: " + Providers(app),
            "Sandbox providers: " + sandbox,
            "",
            "Try it: README.md, section Walkthrough, is a script to paste (ids kept in shell variables); docs/api.md has every endpoint.",
            $"  ADMIN={token}",
            $"  curl -s -X POST {url}/admin/v1/clients -H \"Authorization: Bearer $ADMIN\" -H 'Content-Type: application/json' -d '{{\"name\":\"Acme\"}}'",
            "",
        };
        Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
        Console.Out.Flush();
    }

    // A gateway holds no catalog: its providers are the silos'.
    private static string Providers(WebApplication app) =>
        app.Services.GetService<IProviderCatalog>() is { } catalog
            ? string.Join(", ", catalog.List().Select(p => p.Id)) is { Length: > 0 } ids ? ids : "none"
            : "those of the cluster's silos";
}
