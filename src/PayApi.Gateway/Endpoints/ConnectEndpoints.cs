using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PayApi.Contracts;
using PayApi.Gateway.Http;
using PayApi.Gateway.OpenApi;

namespace PayApi.Gateway.Endpoints;

/// <summary>The end-user's Connect page and the JSON endpoints it calls; the session id is the capability.</summary>
public static class ConnectEndpoints
{
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly Dictionary<string, (byte[] Content, string Type)> Assets = LoadAssets();

    private static readonly ConnectPageText Text = ConnectPageText.Load(Encoding.UTF8.GetString(Assets["connect.html"].Content));

    public static IEndpointRouteBuilder MapConnectPage(this IEndpointRouteBuilder app)
    {
        // Read at start-up: a language file that lacks a key stops the gateway here, not an end-user's page load.
        var text = Text;
        app.MapGet("/connect/assets/{file}", (string file, HttpContext context) =>
        {
            if (!Assets.TryGetValue(file, out var asset) || file.EndsWith(".html", StringComparison.Ordinal) || file.EndsWith(".json", StringComparison.Ordinal))
            {
                throw PayApiException.NotFound("asset");
            }

            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Bytes(asset.Content, asset.Type);
        })
        .WithSummary("A static file of the Connect page").ProducesText("text/javascript", "The script or stylesheet.").ProducesText("text/css", "The script or stylesheet.");

        // The page is served for any id: a mistyped link gets the page's own "not valid" screen, not JSON.
        app.MapGet("/connect/{session_id}", (string session_id, HttpContext context) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Csp;
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";

            // The page's text in the end-user's language (Accept-Language), rendered on the server.
            var language = text.Choose(context.Request.Headers.AcceptLanguage);
            headers.ContentLanguage = language;
            headers.Vary = "Accept-Language";
            return Results.Bytes(text.Page(language), Assets["connect.html"].Type);
        })
        .WithSummary("The Connect page").ProducesText("text/html", "The page: pick a provider, enter its fields, answer MFA.");

        var api = app.MapGroup("/connect/api/{session_id}");

        api.MapGet("", async (string session_id, IGrainFactory grains, ProviderDirectory directory) =>
        {
            var view = await Session(grains, session_id).GetForEndUserAsync();
            var appName = await AppNameAsync(grains, view.ClientId);
            var all = await directory.ListAsync();
            var offered = view.Providers.Count > 0
                ? view.Providers.Select(id => all.FirstOrDefault(p => p.Id == id)).OfType<ProviderInfo>()
                : all;
            return Results.Json(new
            {
                status = view.Status,
                providers = offered.Select(ProviderJson.Of),
                provider = view.Provider,
                error = view.Error,
                redirect_to = view.RedirectTo,
                client = appName is null ? null : new { name = appName },
                attempts_remaining = view.MaxAttempts > 0 ? view.AttemptsRemaining : (int?)null,
                max_attempts = view.MaxAttempts > 0 ? view.MaxAttempts : (int?)null,
            });
        })
        .WithSummary("The session as the Connect page sees it").Produces<ConnectPageResponse>().ProblemCodes(ErrorCodes.SessionExpired);

        api.MapPost("/credentials", async (string session_id, HttpContext context, IGrainFactory grains, ProviderDirectory directory) =>
        {
            var body = await JsonBody.ReadAsync(context);
            var providerId = body.RequiredString("provider", 64);
            var provider = await directory.FindAsync(providerId) ?? throw PayApiException.Invalid("provider is not a known provider id.");
            var fields = body.RequiredStringMap("fields");
            foreach (var field in provider.Fields)
            {
                if (!fields.TryGetValue(field.Name, out var value) || string.IsNullOrWhiteSpace(value))
                {
                    throw PayApiException.Invalid($"fields.{field.Name} is required.");
                }
            }

            if (fields.Keys.FirstOrDefault(k => provider.Fields.All(f => f.Name != k)) is { } unexpected)
            {
                throw PayApiException.Invalid($"fields has a field this provider does not take ({(unexpected.Length <= 64 ? unexpected : "too long")}).");
            }

            var status = await Session(grains, session_id).SubmitCredentialsAsync(new SubmittedCredentials(providerId, fields));
            return Results.Json(new { status }, statusCode: StatusCodes.Status202Accepted);
        })
        .WithSummary("Submit the end-user's credentials").WithDescription("Verified against the provider before the session can succeed; poll the session for the outcome.")
        .RequestBody<SubmitCredentialsRequest>().Produces<StatusResponse>(StatusCodes.Status202Accepted)
        .ProblemCodes(ErrorCodes.SessionExpired, ErrorCodes.Conflict);

        api.MapPost("/mfa", async (string session_id, HttpContext context, IGrainFactory grains) =>
        {
            var body = await JsonBody.ReadAsync(context);
            var code = body.RequiredString("code", 32);
            var status = await Session(grains, session_id).SubmitMfaAsync(code);
            return Results.Json(new { status }, statusCode: StatusCodes.Status202Accepted);
        })
        .WithSummary("Submit the one-time code the provider asked for")
        .RequestBody<SubmitMfaRequest>().Produces<StatusResponse>(StatusCodes.Status202Accepted)
        .ProblemCodes(ErrorCodes.SessionExpired, ErrorCodes.Conflict);

        return app;
    }

    // The developer's app as its operator named it for end-users (display name, else name); the page inserts it as text.
    private static async Task<string?> AppNameAsync(IGrainFactory grains, string clientId) =>
        Ids.IsWellFormed(clientId, Ids.ClientPrefix) && await grains.GetGrain<IClientGrain>(clientId).GetAsync() is { } client
            ? client.DisplayName ?? client.Name
            : null;

    private static ConnectSession Session(IGrainFactory grains, string sessionId) =>
        grains.ConnectSession(DeveloperEndpoints.RequireId(sessionId, Ids.SessionPrefix, "connect session"));

    private static Dictionary<string, (byte[] Content, string Type)> LoadAssets()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ConnectPage.", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name["ConnectPage.".Length..];
            var type = Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            };
            assets[file] = (copy.ToArray(), type);
        }

        return assets;
    }
}
