using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace PayApi.Storage.Conformance;

/// <summary>
/// The real Orleans services a storage backend needs outside a silo: the Orleans serializer (with
/// this kit's generated codecs), an <see cref="IGrainStorageSerializer"/>, activators, logging and
/// a <see cref="ClusterOptions"/> with a service id unique to the test, so tests never share rows.
/// </summary>
public sealed class ConformanceServices : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    public ConformanceServices()
    {
        ServiceId = "conformance-" + Guid.NewGuid().ToString("N");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSerializer(builder => builder.AddAssembly(typeof(ConformanceState).Assembly));
        // Orleans' binary grain storage serializer: the one that needs nothing beyond AddSerializer.
        services.AddSingleton<IGrainStorageSerializer>(sp => new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()));
        services.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = ServiceId;
            options.ClusterId = "conformance";
        });
        services.AddSingleton(TimeProvider.System);
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public string ServiceId { get; }

    public IServiceProvider Services => provider;

    public IGrainStorageSerializer GrainStorageSerializer => provider.GetRequiredService<IGrainStorageSerializer>();

    public IActivatorProvider ActivatorProvider => provider.GetRequiredService<IActivatorProvider>();

    public IOptions<ClusterOptions> ClusterOptions => provider.GetRequiredService<IOptions<ClusterOptions>>();

    public ILogger<T> Logger<T>() => provider.GetRequiredService<ILogger<T>>();

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}
