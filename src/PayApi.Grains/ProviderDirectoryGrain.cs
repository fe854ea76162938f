using Orleans.Concurrency;
using PayApi.Contracts;
using PayApi.Providers;

namespace PayApi.Grains;

/// <summary>Lists the providers of the silo's catalog for gateways.</summary>
[StatelessWorker]
public sealed class ProviderDirectoryGrain(IProviderCatalog catalog) : Grain, IProviderDirectoryGrain
{
    public Task<IReadOnlyList<ProviderInfo>> ListAsync() => Task.FromResult(catalog.List());
}
