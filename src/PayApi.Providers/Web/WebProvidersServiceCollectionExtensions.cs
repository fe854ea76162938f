using Microsoft.Extensions.DependencyInjection;

namespace PayApi.Providers.Web;

/// <summary>Registers web-login recipes: the recipe for the scraper pool and its adapter for the catalog.</summary>
public static class WebProvidersServiceCollectionExtensions
{
    public static IServiceCollection AddWebLoginProvider(this IServiceCollection services, IWebRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        services.AddPayApiProviders();
        services.AddSingleton(recipe);
        services.AddSingleton<IProviderAdapter>(sp => new WebLoginAdapter(recipe, sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<PayApi.Scraping.ProxyPool>()));
        return services;
    }

    /// <summary>The <c>sandbox-bank</c> provider of docs/api.md, pointed at the sandbox bank site.</summary>
    public static IServiceCollection AddSandboxBank(
        this IServiceCollection services, Uri baseUrl, TimeSpan? cacheTtl = null, TimeSpan? keepAliveInterval = null, TimeSpan? minRefreshInterval = null) =>
        services.AddWebLoginProvider(new SandboxBankRecipe(baseUrl, cacheTtl, keepAliveInterval, minRefreshInterval: minRefreshInterval));
}
