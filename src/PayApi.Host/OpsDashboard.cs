using Orleans.Dashboard;
using PayApi.Gateway.Auth;

namespace PayApi.Host;

/// <summary>
/// The Orleans dashboard under <see cref="DashboardAccess.Prefix"/>, behind the admin token
/// (<see cref="DashboardAccess"/>). Off unless <c>PayApi:Dashboard:Enabled</c> is true; silos then collect its
/// statistics, and a process that serves the gateway serves the pages.
/// </summary>
public static class OpsDashboard
{
    public const string EnabledSetting = "PayApi:Dashboard:Enabled";

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue<bool>(EnabledSetting);

    public static void Configure(ISiloBuilder silo) => silo.AddDashboard(ConfigureOptions);

    public static void Configure(IClientBuilder client) => client.AddDashboard(ConfigureOptions);

    /// <summary>Maps the pages, after the guard that refuses every request without the admin token.</summary>
    public static void Map(WebApplication app)
    {
        app.UseDashboardAccess();
        app.MapOrleansDashboard(routePrefix: DashboardAccess.Prefix);
    }

    // The live log view would show log lines to anyone holding the dashboard: the logs stay in the log pipeline.
    private static void ConfigureOptions(DashboardOptions o) => o.HideTrace = true;
}
