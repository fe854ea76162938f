using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans;
using PayApi.Vault;

namespace PayApi.Storage.DynamoDB;

/// <summary>Puts the wrapped data keys in DynamoDB instead of <c>keys.db</c>.</summary>
public static class DynamoDBDataKeyStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="DynamoDBDataKeyStore"/> as the one <see cref="IDataKeyStore"/>, replacing any registered
    /// before (<c>AddPayApiLocalVault</c> registers the SQLite store), so call it after the vault. A store registered
    /// after it would win silently and keep keys on local disk; a configuration check stops the silo if that happens.
    /// <paramref name="configure"/> adds to the shared <see cref="DynamoDBOptions"/>.
    /// </summary>
    public static IServiceCollection AddDynamoDBDataKeyStore(this IServiceCollection services, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddPayApiDynamoDB(configure);
        services.RemoveAll<IDataKeyStore>();
        services.AddSingleton<IDataKeyStore, DynamoDBDataKeyStore>();
        services.AddTransient<IConfigurationValidator>(sp => new DataKeyStoreCheck(sp));
        return services;
    }

    private sealed class DataKeyStoreCheck(IServiceProvider services) : IConfigurationValidator
    {
        public void ValidateConfiguration()
        {
            var store = services.GetRequiredService<IDataKeyStore>();
            if (store is not DynamoDBDataKeyStore)
            {
                throw new OrleansConfigurationException(
                    $"AddDynamoDBDataKeyStore was called, but the data key store in use is {store.GetType().Name}: " +
                    "another IDataKeyStore was registered after it. Call AddDynamoDBDataKeyStore after AddPayApiLocalVault.");
            }
        }
    }
}
