using PayApi.Contracts;

namespace PayApi.Grains.Usage;

/// <summary>Persistent state of the directory of clients.</summary>
[GenerateSerializer]
[Alias("PayApi.ClientDirectoryState")]
public sealed class ClientDirectoryState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> Clients { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Every client, so the operator's monthly usage export can visit each. Developers are few (a client is a company
/// integrating us, not an end-user), so one record holds them all.
/// </summary>
public sealed class ClientDirectoryGrain(
    [PersistentState("clients", StorageNames.Default)] IPersistentState<ClientDirectoryState> state) : Grain, IClientDirectoryGrain
{
    public async Task RegisterAsync(ListedClient client)
    {
        if (state.State.Clients.TryAdd(client.ClientId, client.CreatedAt))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<ListedClient>> ListAsync()
    {
        IReadOnlyList<ListedClient> list = state.State.Clients
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new ListedClient(c.Key, c.Value))
            .ToList();
        return Task.FromResult(list);
    }
}
