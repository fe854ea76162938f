using Microsoft.Extensions.DependencyInjection;

namespace PayApi.Client;

public static class PayApiClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PayApiClient"/> as a typed client of <c>IHttpClientFactory</c>: handlers are pooled and
    /// recycled by the factory; the returned builder adds handlers, a primary handler or a timeout.
    /// </summary>
    public static IHttpClientBuilder AddPayApiClient(this IServiceCollection services, Action<PayApiClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PayApiClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "PayApiClientOptions.BaseAddress must be an absolute URL.")
            .Validate(o => o.MaxRetries >= 0 && o.MaxRetryDelay >= TimeSpan.Zero, "PayApiClientOptions retry bounds must not be negative.");
        return services.AddHttpClient<PayApiClient>();
    }
}
