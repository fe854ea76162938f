using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PayApi.Grains.Webhooks;

/// <summary>Registers webhook delivery on a silo.</summary>
public static class WebhooksServiceCollectionExtensions
{
    public static IServiceCollection AddPayApiWebhooks(this IServiceCollection services, Action<WebhookOptions>? configure = null)
    {
        var builder = services.AddOptions<WebhookOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(o => o.AttemptTimeout > TimeSpan.Zero && o.FirstRetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.FirstRetryDelay, "PayApi:Webhooks: AttemptTimeout and FirstRetryDelay must be positive, MaxRetryDelay at least FirstRetryDelay.")
            .Validate(o => o.RetryWindow > TimeSpan.Zero && o.Retention >= o.RetryWindow, "PayApi:Webhooks: Retention must be at least RetryWindow.")
            .Validate(o => o.MaxConcurrentDeliveries is >= 1 and <= 64 && o.IndexPageSize is >= 1 and <= 10_000, "PayApi:Webhooks: MaxConcurrentDeliveries 1..64, IndexPageSize 1..10000.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new WebhookTargetPolicy(sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowInsecureTargets));
        services.AddSingleton<WebhookSecretVault>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<IWebhookDeliveryObserver, LoggingWebhookDeliveryObserver>();
        services.AddSingleton<IWebhookDeliveryObserver, MetricsWebhookDeliveryObserver>();
        services.AddWebhookHttpClient();
        return services;
    }
}
