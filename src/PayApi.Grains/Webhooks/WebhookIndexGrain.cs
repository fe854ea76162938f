using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>Persistent state of one index page.</summary>
[GenerateSerializer]
[Alias("PayApi.WebhookIndexState")]
public sealed class WebhookIndexState
{
    [Id(0)] public List<string> EventIds { get; set; } = [];
}

/// <summary>One page of a client's event index: up to <see cref="WebhookOptions.IndexPageSize"/> ids, oldest first.</summary>
public sealed class WebhookIndexGrain(
    [PersistentState("webhookIndex", StorageNames.Default)] IPersistentState<WebhookIndexState> state) : Grain, IWebhookIndexGrain
{
    public async Task<int> AppendAsync(string eventId)
    {
        if (!state.State.EventIds.Contains(eventId))
        {
            state.State.EventIds.Add(eventId);
            await state.WriteStateAsync();
        }

        return state.State.EventIds.Count;
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.EventIds.ToList());

    public async Task DeleteAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        DeactivateOnIdle();
    }
}
