using Microsoft.Extensions.DependencyInjection;
using PayApi.Providers.Web;

namespace PayApi.Providers.Configuration;

/// <summary>Registers the providers declared in configuration (<see cref="ProviderConfiguration"/>), in their order.</summary>
public static class ConfiguredProvidersServiceCollectionExtensions
{
    public static IServiceCollection AddConfiguredProviders(this IServiceCollection services, IEnumerable<ProviderDeclaration> providers, WebRecipeKinds? recipes = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(providers);
        recipes ??= WebRecipeKinds.Default;
        services.AddPayApiProviders();
        foreach (var provider in providers)
        {
            if (provider.Kind == ProviderConfiguration.StripeKind)
            {
                services.AddStripeProvider(new StripeAdapterOptions { ProviderId = provider.Id, Name = provider.Name, BaseUrl = provider.BaseUrl });
            }
            else
            {
                services.AddWebLoginProvider(recipes.Create(provider.Kind, new WebRecipeIdentity(provider.Id, provider.Name, provider.BaseUrl)));
            }
        }

        return services;
    }
}
