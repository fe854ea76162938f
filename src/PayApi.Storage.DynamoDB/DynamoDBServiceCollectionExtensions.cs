using Amazon.DynamoDBv2;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// What every DynamoDB piece shares: one <see cref="DynamoDBOptions"/> (the unnamed options), one SDK client and
/// one <see cref="DynamoDBTables"/>. Each <c>Add…</c>/<c>Use…</c> extension calls this; every
/// <paramref name="configure"/> delegate given runs, in the order they were registered.
/// </summary>
public static class DynamoDBServiceCollectionExtensions
{
    public static IServiceCollection AddPayApiDynamoDB(this IServiceCollection services, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DynamoDBOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(DynamoDBClientMarker)))
        {
            return services;
        }

        services.AddSingleton<DynamoDBClientMarker>();
        options.Validate(o => !o.Problems().Any(), "PayApi:DynamoDB settings are invalid.");
        services.TryAddSingleton<IAmazonDynamoDB>(sp => DynamoDBClientFactory.Create(sp.GetRequiredService<IOptions<DynamoDBOptions>>().Value));
        services.TryAddSingleton(sp => new DynamoDBTables(
            sp.GetRequiredService<IAmazonDynamoDB>(),
            sp.GetRequiredService<IOptions<DynamoDBOptions>>().Value,
            sp.GetRequiredService<ILogger<DynamoDBTables>>()));
        return services;
    }

    // Marks that the shared pieces are registered, so a second call only adds its configuration.
    private sealed class DynamoDBClientMarker;
}
