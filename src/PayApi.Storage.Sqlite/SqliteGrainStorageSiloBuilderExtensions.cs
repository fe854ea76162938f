using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace PayApi.Storage.Sqlite;

/// <summary>Registers <see cref="SqliteGrainStorage"/> as a named Orleans grain storage provider.</summary>
public static class SqliteGrainStorageSiloBuilderExtensions
{
    /// <summary>Adds SQLite grain storage under the default provider name.</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteStorageOptions> configureOptions) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configureOptions);

    /// <summary>Adds SQLite grain storage under <paramref name="name"/>, the name grains use in <c>[PersistentState]</c>.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.AddSqliteGrainStorage(name, configureOptions));
    }

    /// <summary>Adds SQLite grain storage under <paramref name="name"/> to a silo's service collection.</summary>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<SqliteStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configureOptions);

        services.AddOptions<SqliteStorageOptions>(name).Configure(configureOptions);
        // Fills GrainStorageSerializer from the silo's default serializer when the caller left it unset.
        services.AddTransient<IPostConfigureOptions<SqliteStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<SqliteStorageOptions>>();
        services.AddTransient<IConfigurationValidator>(sp => new SqliteOptionsValidator(
            () =>
            {
                var options = sp.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(name);
                return (options.ConnectionString, options.DatabasePath);
            },
            nameof(SqliteStorageOptions),
            $"grain storage '{name}'"));

        // Orleans' helper registers the keyed IGrainStorage, the unkeyed default when the name is
        // "Default", and the lifecycle participant that creates the schema at silo start.
        return services.AddGrainStorage(name, SqliteGrainStorage.Create);
    }
}
