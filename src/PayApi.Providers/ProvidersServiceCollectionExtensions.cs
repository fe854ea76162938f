using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace PayApi.Providers;

/// <summary>Registers the provider catalog and the adapters it is built from.</summary>
public static class ProvidersServiceCollectionExtensions
{
    public const string SandboxStripeId = "sandbox-stripe";
    public const string SandboxStripeName = "Sandbox Stripe";

    /// <summary>
    /// The sandbox providers' <see cref="IProviderAdapter.MinRefreshInterval"/>: a test or a demo sees the spacing
    /// without waiting a minute for the next refresh.
    /// </summary>
    public static readonly TimeSpan SandboxMinRefreshInterval = TimeSpan.FromSeconds(10);

    /// <summary>One named client serves every Stripe-shaped provider; the base URL is per request.</summary>
    public const string StripeHttpClientName = "PayApi.Providers.Stripe";

    /// <summary>
    /// The <see cref="IProviderCatalog"/> over every registered <see cref="IProviderAdapter"/>.
    /// Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddPayApiProviders(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IProviderCatalog>(sp => new ProviderCatalog(sp.GetServices<IProviderAdapter>()));
        return services;
    }

    public static IServiceCollection AddStripeProvider(this IServiceCollection services, StripeAdapterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services.AddStripeProvider(_ => options);
    }

    /// <summary>Options resolved lazily, for base URLs only known once the host runs (an ephemeral sandbox port).</summary>
    public static IServiceCollection AddStripeProvider(this IServiceCollection services, Func<IServiceProvider, StripeAdapterOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddPayApiProviders();
        services.AddHttpClient(StripeHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Stripe's API never redirects; following one could carry the key somewhere else.
                AllowAutoRedirect = false,
                UseCookies = false,
            });
        services.AddSingleton<IProviderAdapter>(sp => new StripeAdapter(
            sp.GetRequiredService<IHttpClientFactory>(),
            StripeHttpClientName,
            options(sp),
            sp.GetService<ILogger<StripeAdapter>>()));
        return services;
    }

    /// <summary>The <c>sandbox-stripe</c> provider of docs/api.md, pointed at the sandbox's Stripe API root.</summary>
    public static IServiceCollection AddSandboxStripe(this IServiceCollection services, Uri baseUrl, TimeSpan? minRefreshInterval = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return services.AddSandboxStripe(_ => baseUrl, minRefreshInterval);
    }

    public static IServiceCollection AddSandboxStripe(this IServiceCollection services, Func<IServiceProvider, Uri> baseUrl, TimeSpan? minRefreshInterval = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return services.AddStripeProvider(sp => new StripeAdapterOptions
        {
            ProviderId = SandboxStripeId,
            Name = SandboxStripeName,
            BaseUrl = baseUrl(sp),
            MinRefreshInterval = minRefreshInterval ?? SandboxMinRefreshInterval,
        });
    }
}
