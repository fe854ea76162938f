using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PayApi.Vault;

public static class VaultServiceCollectionExtensions
{
    /// <summary>
    /// Registers the local keyring, the SQLite data key store and <see cref="KeyRotationService"/>.
    /// The host binds <see cref="VaultOptions"/> from configuration; <paramref name="configure"/> runs after.
    /// </summary>
    public static IServiceCollection AddPayApiLocalVault(this IServiceCollection services, Action<VaultOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<VaultOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IKeyring, LocalKeyring>();
        services.AddSingleton<IDataKeyStore, SqliteDataKeyStore>();
        services.AddSingleton<KeyRotationService>();
        return services;
    }
}
