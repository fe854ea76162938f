using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>The providers of this deployment, in registration order, looked up by id.</summary>
public sealed class ProviderCatalog : IProviderCatalog
{
    private readonly Dictionary<string, IProviderAdapter> _byId = new(StringComparer.Ordinal);
    private readonly List<ProviderInfo> _infos = [];

    public ProviderCatalog(IEnumerable<IProviderAdapter> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        foreach (var adapter in adapters)
        {
            // Two adapters under one id would make connections resolve to whichever registered last.
            if (!_byId.TryAdd(adapter.Info.Id, adapter))
            {
                throw new ArgumentException($"Provider id '{adapter.Info.Id}' is registered twice.", nameof(adapters));
            }

            _infos.Add(adapter.Info);
        }
    }

    public IReadOnlyList<ProviderInfo> List() => _infos;

    public IProviderAdapter? Find(string providerId) =>
        providerId is not null && _byId.TryGetValue(providerId, out var adapter) ? adapter : null;
}
