using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PayApi.ProviderData;
using PayApi.Scraping;

namespace PayApi.Storage.S3;

/// <summary>Registration of the S3 artifact store and the S3 objects of large provider data chunks.</summary>
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
        AddPayApiS3(services, configure);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<S3Options>>().Value;
            return new S3ArtifactStore(new S3Objects(sp.GetRequiredService<IAmazonS3>(), options, options.KeyPrefix));
        });
        services.RemoveAll<IArtifactStore>();
        services.AddSingleton<IArtifactStore>(sp => sp.GetRequiredService<S3ArtifactStore>());
        return services;
    }

    /// <summary>
    /// Keeps provider data chunks too large for a DynamoDB item as objects in the same bucket, under
    /// <c>provider-data/</c> (the DynamoDB chunk store picks this <see cref="IChunkObjectStore"/> up).
    /// </summary>
    public static IServiceCollection AddS3ChunkObjectStore(this IServiceCollection services, Action<S3Options> configure)
    {
        AddPayApiS3(services, configure);
        services.RemoveAll<IChunkObjectStore>();
        services.AddSingleton<IChunkObjectStore>(sp =>
            new S3ChunkObjectStore(new S3Objects(sp.GetRequiredService<IAmazonS3>(), sp.GetRequiredService<IOptions<S3Options>>().Value)));
        return services;
    }

    // What every S3 piece shares: options validated at start, one client, and the bucket creator when asked for.
    private static void AddPayApiS3(IServiceCollection services, Action<S3Options> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<S3Options>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<S3Options>, S3OptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IAmazonS3>(sp => S3ClientFactory.Create(sp.GetRequiredService<IOptions<S3Options>>().Value));
        if (!services.Any(d => d.ServiceType == typeof(S3BucketCreator)))
        {
            services.AddSingleton<S3BucketCreator>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<S3BucketCreator>());
        }
    }
}
