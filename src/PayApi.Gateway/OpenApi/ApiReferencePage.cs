using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Scalar.AspNetCore;

namespace PayApi.Gateway.OpenApi;

/// <summary>
/// The browsable API reference at <c>/docs</c> (Scalar, its script served by this process from the package): on in
/// development, elsewhere when <c>PayApi:Docs:Enabled</c> is true. Only <c>/docs</c> gets the looser content security
/// policy the reference needs (its inline start-up script and inline styles); the Connect page's stays strict.
/// </summary>
public static class ApiReferencePage
{
    public const string Path = "/docs";

    // Scalar's page starts with an inline script and styles itself inline; it loads nothing from other origins once
    // its default fonts (a font CDN) and telemetry are off, and "Try it" calls this same origin.
    public const string Csp = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static bool IsEnabled(WebApplication app) =>
        app.Configuration.GetValue<bool?>("PayApi:Docs:Enabled") ?? app.Environment.IsDevelopment();

    public static WebApplication MapApiReference(this WebApplication app, string openApiPath)
    {
        app.UseWhen(c => c.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase), branch => branch.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.ContentSecurityPolicy = Csp;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        }));
        app.MapScalarApiReference(Path, o => o
            .WithTitle("Orleans.PayApi API reference")
            .WithOpenApiRoutePattern(openApiPath)
            .DisableDefaultFonts()
            .DisableTelemetry());
        return app;
    }
}
