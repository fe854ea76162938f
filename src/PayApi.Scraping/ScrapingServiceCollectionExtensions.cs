using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PayApi.Scraping;

public static class ScrapingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the browser pool, proxy pool, local artifact store (<c>&lt;dataDir&gt;/artifacts</c>), failure
    /// bundles and their sweeper. The host binds <c>PayApi:Scraper</c> in <paramref name="configure"/>; the
    /// options are validated at start. Needs an <see cref="Vault.IKeyring"/> (AddPayApiLocalVault or KMS).
    /// </summary>
    public static IServiceCollection AddPayApiScraping(this IServiceCollection services, Action<ScraperOptions> configure, string dataDir)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        services.AddOptions<ScraperOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ScraperOptions>, ScraperOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<BrowserPool>();
        services.AddSingleton<ProxyPool>();
        services.AddSingleton<IArtifactStore>(sp =>
            new LocalArtifactStore(Path.Combine(Path.GetFullPath(dataDir), "artifacts"), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<FailureBundleStore>();
        services.AddHostedService<FailureBundleSweeper>();
        return services;
    }
}
