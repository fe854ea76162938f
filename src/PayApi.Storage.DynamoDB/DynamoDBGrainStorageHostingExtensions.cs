using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace PayApi.Storage.DynamoDB;

/// <summary>Registers <see cref="DynamoDBGrainStorage"/> as a named Orleans grain storage provider.</summary>
public static class DynamoDBGrainStorageHostingExtensions
{
    /// <summary>Adds DynamoDB grain storage under the default provider name.</summary>
    public static ISiloBuilder AddDynamoDBGrainStorageAsDefault(this ISiloBuilder builder, Action<DynamoDBOptions>? configure = null) =>
        builder.AddDynamoDBGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>
    /// Adds DynamoDB grain storage under <paramref name="name"/>, the name grains use in <c>[PersistentState]</c>.
    /// <paramref name="configure"/> adds to the shared <see cref="DynamoDBOptions"/> (see
    /// <see cref="DynamoDBServiceCollectionExtensions.AddPayApiDynamoDB"/>); every provider uses the one table.
    /// </summary>
    public static ISiloBuilder AddDynamoDBGrainStorage(this ISiloBuilder builder, string name, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.AddDynamoDBGrainStorage(name, configure));
    }

    /// <summary>Adds DynamoDB grain storage under <paramref name="name"/> to a silo's service collection.</summary>
    public static IServiceCollection AddDynamoDBGrainStorage(this IServiceCollection services, string name, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);

        services.AddPayApiDynamoDB(configure);
        services.AddOptions<DynamoDBGrainStorageOptions>(name);
        // Fills GrainStorageSerializer from the silo's default serializer when left unset; once for all names.
        services.TryAddEnumerable(ServiceDescriptor.Transient<
            IPostConfigureOptions<DynamoDBGrainStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<DynamoDBGrainStorageOptions>>());

        // Orleans' helper registers the keyed IGrainStorage, the unkeyed default when the name is "Default",
        // and the lifecycle participant that creates the table at silo start.
        return services.AddGrainStorage(name, DynamoDBGrainStorage.Create);
    }
}
