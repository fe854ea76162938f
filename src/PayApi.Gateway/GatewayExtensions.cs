using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using PayApi.Contracts;
using PayApi.Gateway.Auth;
using PayApi.Gateway.Cluster;
using PayApi.Gateway.Endpoints;
using PayApi.Gateway.Http;
using PayApi.Gateway.OpenApi;
using PayApi.Gateway.Usage;

namespace PayApi.Gateway;

/// <summary>Registers and maps the REST gateway.</summary>
public static class GatewayExtensions
{
    // The name AddOpenApi() gives its one document.
    private const string OpenApiDocument = "v1";

    public static IServiceCollection AddPayApiGateway(this IServiceCollection services, Action<GatewayOptions> configure, RateLimitOptions? rateLimits = null, NetworkOptions? network = null)
    {
        services.AddPayApiRateLimiting(rateLimits ?? new RateLimitOptions());
        services.AddPayApiForwardedAddresses(network ?? new NetworkOptions());
        services.AddOptions<GatewayOptions>().Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.AdminToken) && o.AdminToken.Length >= 16, "PayApi:AdminToken must be at least 16 characters.")
            .Validate(o => string.IsNullOrEmpty(o.PublicUrl) || Uri.TryCreate(o.PublicUrl, UriKind.Absolute, out _), "PayApi:PublicUrl must be an absolute URL.")
            .ValidateOnStart();
        services.AddOptions<FailoverOptions>();
        services.AddSingleton<AccessTokens>();
        services.AddOptions<UsageOptions>()
            .Validate(o => o.FlushInterval >= TimeSpan.FromMilliseconds(100) && o.FlushInterval <= TimeSpan.FromMinutes(5), "PayApi:Usage:FlushInterval must be from 00:00:00.1 to 00:05:00.")
            .ValidateOnStart();
        services.AddSingleton<UsageMeter>();
        services.AddSingleton<UsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageFlusher>());
        services.AddSingleton<ProviderDirectory>();
        services.AddSingleton<PublicBaseUrl>();
        services.TryAddTimeProvider();
        services.ConfigureHttpJsonOptions(o => JsonDefaults.Apply(o.SerializerOptions));
        services.AddRedaction(r => r.SetRedactor<ErasingRedactor>(new DataClassificationSet(PayApiTaxonomy.Secret)));
        services.AddOpenApi(o =>
        {
            // The document is generated from the mapped endpoints' metadata (see OpenApi/ApiDoc.cs for how an endpoint annotates itself).
            o.AddDocumentTransformer<PayApiDocumentTransformer>();
            o.AddOperationTransformer<PayApiOperationTransformer>();
            o.AddSchemaTransformer<RequiredMembersSchemaTransformer>();
        });
        return services;
    }

    public static WebApplication MapPayApiGateway(this WebApplication app)
    {
        app.UsePayApiForwardedAddresses();
        app.UseMiddleware<RequestLogging>();
        app.UseMiddleware<NoStore>();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseRateLimiter();
        app.MapHealth();
        // The framework answers an unknown document name (from the path or a documentName query) with a text/plain 404.
        app.MapOpenApi("/openapi/{documentName}.json").AddEndpointFilter(async (invocation, next) =>
            invocation.Arguments.OfType<string>().FirstOrDefault() is { } name && name.Equals(OpenApiDocument, StringComparison.OrdinalIgnoreCase)
                ? await next(invocation)
                : throw PayApiException.NotFound("OpenAPI document"));
        if (ApiReferencePage.IsEnabled(app))
        {
            app.MapApiReference($"/openapi/{OpenApiDocument}.json");
        }

        app.MapAdminApi();
        app.MapDeveloperApi();
        app.MapWebhookApi();
        app.MapConnectionApi();
        app.MapUsageApi();
        app.MapConnectPage();
        return app;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
