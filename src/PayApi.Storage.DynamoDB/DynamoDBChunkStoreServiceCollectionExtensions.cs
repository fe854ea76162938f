using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PayApi.ProviderData;

namespace PayApi.Storage.DynamoDB;

/// <summary>Registers <see cref="DynamoDBChunkStore"/> as the provider data store.</summary>
public static class DynamoDBChunkStoreServiceCollectionExtensions
{
    /// <summary>
    /// Replaces the <see cref="IChunkStore"/>; large chunks go to the <see cref="IChunkObjectStore"/> when one is
    /// registered (S3), and otherwise must fit an item.
    /// </summary>
    public static IServiceCollection AddDynamoDBChunkStore(this IServiceCollection services, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPayApiDynamoDB(configure);
        services.AddOptions<ProviderDataOptions>();
        services.RemoveAll<IChunkStore>();
        services.AddSingleton<IChunkStore, DynamoDBChunkStore>();
        return services;
    }
}
