using PayApi.Contracts;

namespace PayApi.Grains.Usage;

/// <summary>The API calls of one client in one month (key <c>{client_id}/{YYYY-MM}</c>): an invoice's call lines.</summary>
public sealed class ClientUsageGrain(
    [PersistentState("usage", StorageNames.Default)] IPersistentState<CallLedger> state,
    TimeProvider time) : Grain, IClientUsageGrain
{
    public async Task RecordAsync(UsageFlush flush)
    {
        if (state.State.Apply(flush, time.GetUtcNow()))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<CallCounts> GetCallsAsync() => Task.FromResult(state.State.Snapshot());
}
