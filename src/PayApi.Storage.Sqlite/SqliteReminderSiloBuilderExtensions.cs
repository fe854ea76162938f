using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;

namespace PayApi.Storage.Sqlite;

/// <summary>Registers <see cref="SqliteReminderTable"/> as the silo's reminder table.</summary>
public static class SqliteReminderSiloBuilderExtensions
{
    /// <summary>Enables reminders backed by a SQLite file.</summary>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<SqliteReminderOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.UseSqliteReminderService(configureOptions));
    }

    /// <summary>Enables reminders backed by a SQLite file on a silo's service collection.</summary>
    public static IServiceCollection UseSqliteReminderService(this IServiceCollection services, Action<SqliteReminderOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureOptions);

        services.AddReminders();
        services.Configure(configureOptions);
        services.AddSingleton<IReminderTable, SqliteReminderTable>();
        services.AddTransient<IConfigurationValidator>(sp => new SqliteOptionsValidator(
            () =>
            {
                var options = sp.GetRequiredService<IOptions<SqliteReminderOptions>>().Value;
                return (options.ConnectionString, options.DatabasePath);
            },
            nameof(SqliteReminderOptions),
            "the reminder table"));
        return services;
    }
}
