using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PayApi.Scraping;

namespace PayApi.Storage.S3;

/// <summary>Registration of the S3 artifact store.</summary>
public static class S3ServiceCollectionExtensions
{
    /// <summary>
    /// Stores artifacts (failure bundles) in S3 instead of the local folder: call after
    /// <see cref="ScrapingServiceCollectionExtensions.AddPayApiScraping"/>, whose <see cref="IArtifactStore"/> this
    /// replaces. Registers one <see cref="IAmazonS3"/> (kept if one is already registered), <see cref="S3Options"/>
    /// validated at start (the host binds <c>PayApi:S3</c> in <paramref name="configure"/>), and, when
    /// <see cref="S3Options.CreateBucket"/> is set, a background service that creates a missing bucket.
    /// </summary>
    public static IServiceCollection AddS3ArtifactStore(this IServiceCollection services, Action<S3Options> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<S3Options>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3Options>, S3OptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAmazonS3>(sp => S3ClientFactory.Create(sp.GetRequiredService<IOptions<S3Options>>().Value));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<S3Options>>().Value;
            return new S3ArtifactStore(new S3Objects(sp.GetRequiredService<IAmazonS3>(), options, options.KeyPrefix));
        });
        services.RemoveAll<IArtifactStore>();
        services.AddSingleton<IArtifactStore>(sp => sp.GetRequiredService<S3ArtifactStore>());
        if (!services.Any(d => d.ServiceType == typeof(S3BucketCreator)))
        {
            services.AddSingleton<S3BucketCreator>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<S3BucketCreator>());
        }

        return services;
    }
}
