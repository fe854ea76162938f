using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using PayApi.Contracts;
using PayApi.Vault;

namespace PayApi.Grains.Webhooks;

/// <summary>
/// One client's webhook: its url and sealed secrets, and the delivery of its events. Events handed over from outboxes
/// are stored (one grain each, idempotent by id), indexed in pages, and queued; attempts run in the background with at
/// most <see cref="WebhookOptions.MaxConcurrentDeliveries"/> in flight, so no caller ever waits on a receiver and one
/// client's slow receiver never holds another client's events. A durable reminder keeps the grain coming back while
/// anything is pending; grain timers make the short first retries.
/// </summary>
[Reentrant]
public sealed partial class WebhookGrain(
    [PersistentState("webhook", StorageNames.Default)] IPersistentState<WebhookState> state,
    WebhookSecretVault vault,
    WebhookTargetPolicy policy,
    WebhookSender sender,
    IEnumerable<IWebhookDeliveryObserver> observers,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IRemindable
{
    private const string DeliveryReminder = "webhook-deliveries";
    private const string RetentionReminder = "webhook-retention";

    private readonly WebhookOptions _options = options.Value;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private IGrainTimer? _timer;
    private bool _deliveryReminderSet;
    private bool _retentionReminderSet;

    // The opened secrets, for this activation only (the sealed ones are in the state).
    private List<string>? _secrets;

    private string ClientId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Pending.Count > 0)
        {
            await EnsureRemindersAsync();
            Pump();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _secrets = null;
        return Task.CompletedTask;
    }

    public async Task<WebhookEndpointView> ConfigureAsync(string url)
    {
        var uri = policy.ParseUrl(url);
        await policy.ResolveAsync(uri.IdnHost, CancellationToken.None);
        var secret = WebhookSecretVault.NewSecret();
        using (var key = await vault.OpenOrCreateAsync(ClientId, renew: false, CancellationToken.None))
        {
            state.State.SealedSecret = WebhookSecretVault.Seal(key, secret);
        }

        state.State.Url = uri.AbsoluteUri;
        state.State.SealedPreviousSecret = null;
        state.State.PreviousSecretExpiresAt = null;
        _secrets = null;
        await SaveAsync();
        LogConfigured(logger, ClientId);
        return new WebhookEndpointView(state.State.Url, secret, null);
    }

    public Task<WebhookEndpointView> GetAsync() =>
        Task.FromResult(new WebhookEndpointView(RequireUrl(), null, PreviousSecretExpiry()));

    public async Task<WebhookEndpointView> RotateSecretAsync()
    {
        var url = RequireUrl();
        var secret = WebhookSecretVault.NewSecret();
        using (var key = await vault.OpenOrCreateAsync(ClientId, renew: false, CancellationToken.None))
        {
            state.State.SealedPreviousSecret = state.State.SealedSecret;
            state.State.PreviousSecretExpiresAt = time.GetUtcNow() + _options.PreviousSecretLifetime;
            state.State.SealedSecret = WebhookSecretVault.Seal(key, secret);
        }

        _secrets = null;
        await SaveAsync();
        LogSecretRotated(logger, ClientId);
        return new WebhookEndpointView(url, secret, state.State.PreviousSecretExpiresAt);
    }

    public async Task RemoveAsync()
    {
        RequireUrl();
        var dropped = state.State.Pending.Keys.ToList();
        state.State.Url = null;
        state.State.SealedSecret = null;
        state.State.SealedPreviousSecret = null;
        state.State.PreviousSecretExpiresAt = null;
        state.State.Pending.Clear();
        _secrets = null;
        await SaveAsync();
        await vault.DeleteKeyAsync(ClientId, CancellationToken.None); // the sealed secrets can never be opened again
        foreach (var eventId in dropped)
        {
            await EventGrain(eventId).SetStatusAsync(WebhookDeliveryStates.Failed);
        }
    }

    public async Task AcceptAsync(IReadOnlyList<WebhookEvent> events)
    {
        var now = time.GetUtcNow();
        var changed = false;
        foreach (var e in events)
        {
            if (!Ids.IsWellFormed(e.Id, Ids.EventPrefix) || state.State.Pending.ContainsKey(e.Id))
            {
                continue;
            }

            var deliver = state.State.Url is not null;
            var isNew = await EventGrain(e.Id).StoreAsync(e, deliver ? WebhookDeliveryStates.Pending : WebhookDeliveryStates.NotSent);
            if (!isNew && (await EventGrain(e.Id).GetAsync())?.Status != WebhookDeliveryStates.Pending)
            {
                continue; // handed over before (the outbox's acknowledgement was lost) and already delivered or settled
            }

            await IndexAsync(e);
            if (deliver)
            {
                state.State.Pending[e.Id] = new PendingDelivery(e.Id, e.Type, 0, now, now + _options.RetryWindow);
            }

            changed = true;
        }

        if (changed)
        {
            await SaveAsync();
            Pump();
        }
    }

    public async Task<WebhookEventView> ReplayAsync(string eventId)
    {
        var view = await EventGrain(eventId).GetAsync() ?? throw PayApiException.NotFound("event");
        if (state.State.Url is null)
        {
            throw new PayApiException(ErrorCodes.Conflict, "No webhook url is set: PUT /v1/webhook first.");
        }

        var now = time.GetUtcNow();
        state.State.Pending[eventId] = new PendingDelivery(eventId, view.Event.Type, 0, now, now + _options.RetryWindow);
        await EventGrain(eventId).SetStatusAsync(WebhookDeliveryStates.Pending);
        await SaveAsync();
        Pump();
        return view with { Status = WebhookDeliveryStates.Pending };
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == DeliveryReminder)
        {
            _deliveryReminderSet = true;
            if (state.State.Pending.Count == 0)
            {
                await UnregisterAsync(DeliveryReminder);
                _deliveryReminderSet = false;
            }
            else
            {
                Pump();
            }
        }
        else if (reminderName == RetentionReminder)
        {
            _retentionReminderSet = true;
            await SweepAsync();
        }
    }

    private string RequireUrl() => state.State.Url ?? throw PayApiException.NotFound("webhook");

    private DateTimeOffset? PreviousSecretExpiry() =>
        state.State.PreviousSecretExpiresAt is { } at && at > time.GetUtcNow() ? at : null;

    private IWebhookEventGrain EventGrain(string eventId) => GrainFactory.GetGrain<IWebhookEventGrain>($"{ClientId}/{eventId}");

    private IWebhookIndexGrain IndexPage(long page) => GrainFactory.GetGrain<IWebhookIndexGrain>($"{ClientId}/{page}");

    /// <summary>Writes the state, one write at a time (attempts finish concurrently), and keeps the reminders in step.</summary>
    private async Task SaveAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writeGate.Release();
        }

        await EnsureRemindersAsync();
    }

    private async Task EnsureRemindersAsync()
    {
        if (state.State.Pending.Count > 0 && !_deliveryReminderSet)
        {
            _deliveryReminderSet = true;
            await this.RegisterOrUpdateReminder(DeliveryReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }

        if (state.State.Pages.Count > 0 && !_retentionReminderSet)
        {
            _retentionReminderSet = true;
            var period = _options.Retention < TimeSpan.FromDays(1) ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(6);
            await this.RegisterOrUpdateReminder(RetentionReminder, period, period);
        }
    }

    private async Task UnregisterAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook url set for {ClientId}")]
    private static partial void LogConfigured(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook signing secret rotated for {ClientId}")]
    private static partial void LogSecretRotated(ILogger logger, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery of {EventId} for {ClientId} could not be attempted ({Reason}); tried again later")]
    private static partial void LogAttemptFailed(ILogger logger, string clientId, string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook retention deleted {Count} events of {ClientId}")]
    private static partial void LogSwept(ILogger logger, string clientId, int count);
}
