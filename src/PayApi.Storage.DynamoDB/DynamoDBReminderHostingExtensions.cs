using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;

namespace PayApi.Storage.DynamoDB;

/// <summary>Registers <see cref="DynamoDBReminderTable"/> as the silo's reminder table.</summary>
public static class DynamoDBReminderHostingExtensions
{
    /// <summary>
    /// Enables reminders backed by DynamoDB. <paramref name="configure"/> adds to the shared
    /// <see cref="DynamoDBOptions"/> (see <see cref="DynamoDBServiceCollectionExtensions.AddPayApiDynamoDB"/>).
    /// </summary>
    public static ISiloBuilder UseDynamoDBReminderService(this ISiloBuilder builder, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.UseDynamoDBReminderService(configure));
    }

    /// <summary>Enables reminders backed by DynamoDB on a silo's service collection.</summary>
    public static IServiceCollection UseDynamoDBReminderService(this IServiceCollection services, Action<DynamoDBOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddReminders();
        services.AddPayApiDynamoDB(configure);
        // The reminder service calls StartAsync, which creates the table, before it reads any row.
        services.AddSingleton<IReminderTable, DynamoDBReminderTable>();
        return services;
    }
}
