using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PayApi.ProviderData;

namespace PayApi.Storage.Sqlite;

/// <summary>Registers <see cref="SqliteChunkStore"/> as the provider data store.</summary>
public static class SqliteChunkStoreServiceCollectionExtensions
{
    /// <summary>Provider data chunks in the SQLite file at <paramref name="databasePath"/> (<c>&lt;DataDir&gt;/provider-data.db</c>).</summary>
    public static IServiceCollection AddSqliteChunkStore(this IServiceCollection services, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        services.AddOptions<ProviderDataOptions>();
        services.RemoveAll<IChunkStore>();
        services.AddSingleton<IChunkStore>(_ => new SqliteChunkStore(databasePath));
        return services;
    }
}
