using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>Persistent state of one webhook event.</summary>
[GenerateSerializer]
[Alias("PayApi.WebhookEventState")]
public sealed class WebhookEventState
{
    [Id(0)] public WebhookEvent? Event { get; set; }
    [Id(1)] public string Status { get; set; } = WebhookDeliveryStates.Pending;
    [Id(2)] public List<WebhookAttempt> Attempts { get; set; } = [];
}

/// <summary>
/// One event and its attempts, one grain each, so a client with many events never loads them all: the client's
/// <see cref="WebhookGrain"/> keeps only what is pending and the index pages.
/// </summary>
public sealed class WebhookEventGrain(
    [PersistentState("webhookEvent", StorageNames.Default)] IPersistentState<WebhookEventState> state) : Grain, IWebhookEventGrain
{
    // A dead receiver is tried about 30 times in 24 h; replays add more. The oldest are dropped past this.
    private const int MaxAttemptsKept = 100;

    public async Task<bool> StoreAsync(WebhookEvent webhookEvent, string status)
    {
        if (state.RecordExists && state.State.Event is not null)
        {
            return false;
        }

        state.State = new WebhookEventState { Event = webhookEvent, Status = status };
        await state.WriteStateAsync();
        return true;
    }

    public Task<WebhookEventView?> GetAsync() =>
        Task.FromResult(state.RecordExists && state.State.Event is { } e
            ? new WebhookEventView(e, state.State.Status, state.State.Attempts.ToList())
            : null);

    public async Task RecordAttemptAsync(WebhookAttempt attempt, string status)
    {
        if (!state.RecordExists || state.State.Event is null)
        {
            return;
        }

        state.State.Attempts.Add(attempt);
        if (state.State.Attempts.Count > MaxAttemptsKept)
        {
            state.State.Attempts.RemoveAt(0);
        }

        state.State.Status = status;
        await state.WriteStateAsync();
    }

    public async Task SetStatusAsync(string status)
    {
        if (state.RecordExists && state.State.Event is not null && state.State.Status != status)
        {
            state.State.Status = status;
            await state.WriteStateAsync();
        }
    }

    public async Task DeleteAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        DeactivateOnIdle();
    }
}
