using PayApi.Contracts;

namespace PayApi.Gateway.Endpoints;

/// <summary>
/// The gateway's copy of the providers the silos serve, fetched from <see cref="IProviderDirectoryGrain"/> and kept
/// for a minute: listing providers and checking a provider id cost no grain call on most requests, and a gateway
/// process needs no adapters of its own.
/// </summary>
public sealed class ProviderDirectory(IGrainFactory grains, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private volatile Snapshot? _snapshot;

    public async Task<IReadOnlyList<ProviderInfo>> ListAsync()
    {
        if (_snapshot is { } current && time.GetUtcNow() < current.Expires)
        {
            return current.Providers;
        }

        var providers = await grains.GetGrain<IProviderDirectoryGrain>(0).ListAsync();
        _snapshot = new Snapshot(providers, time.GetUtcNow() + Lifetime);
        return providers;
    }

    public async Task<ProviderInfo?> FindAsync(string providerId) =>
        (await ListAsync()).FirstOrDefault(p => string.Equals(p.Id, providerId, StringComparison.Ordinal));

    private sealed record Snapshot(IReadOnlyList<ProviderInfo> Providers, DateTimeOffset Expires);
}
