using Orleans.Concurrency;
using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>Marker state for the readiness probe; its read proves grain storage answers.</summary>
[GenerateSerializer]
[Alias("PayApi.ReadinessState")]
public sealed class ReadinessState
{
    [Id(0)] public DateTimeOffset CheckedAt { get; set; }
}

/// <summary>Reads its (empty) state on every check so storage reachability is really exercised.</summary>
[StatelessWorker]
public sealed class ReadinessGrain(
    [PersistentState("readiness", StorageNames.Default)] IPersistentState<ReadinessState> state) : Grain, IReadinessGrain
{
    public async Task<bool> CheckAsync()
    {
        await state.ReadStateAsync();
        return true;
    }
}
