using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.Contracts;
using PayApi.Grains.Webhooks;
using PayApi.ProviderData;
using PayApi.Providers;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>
/// The connection's webhook outbox. Events are added to the state before the write that records the change they
/// announce, so both are stored or neither; after the write the outbox is handed to the client's
/// <see cref="IWebhookGrain"/> in the background (never awaited by the operation), and entries it acknowledged are
/// removed under the gate. An outbox a crash left behind is handed over again when the grain next activates, and on
/// every refresh reminder; the webhook grain takes each event id once.
/// </summary>
public sealed partial class ConnectionGrain
{
    private bool _handingOff;

    private WebhookOptions WebhookSettings => ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;

    private ConnectionWebhookState Webhook => state.State.Webhooks;

    private ConnectionEvents.Subject EventSubject => new(ConnectionId, state.State.EndUserId, state.State.Provider);

    private void Raise(WebhookEvent e) => Webhook.Outbox.Add(e);

    /// <summary>Adds <c>status_changed</c> (and <c>login_required</c> when that is the new status) for a change of stored status.</summary>
    private void RaiseStatusChange(string previous, string current, ErrorInfo? error)
    {
        if (previous == current)
        {
            return;
        }

        var now = time.GetUtcNow();
        Raise(ConnectionEvents.StatusChanged(EventSubject, now, previous, current, error?.Code));
        if (current == ConnectionStatus.LoginRequired)
        {
            Raise(ConnectionEvents.LoginRequired(EventSubject, now, error?.Code));
        }
    }

    private void RaiseConnected(bool repaired, string? previousStatus)
    {
        Raise(ConnectionEvents.Connected(EventSubject, time.GetUtcNow(), repaired));
        if (repaired && previousStatus is not null)
        {
            RaiseStatusChange(previousStatus, ConnectionStatus.Connected, null);
        }

        Webhook.FailingSince = null;
    }

    /// <summary>A refresh succeeded: the failing streak (and its warning) is over.</summary>
    private void NoteHealthy()
    {
        Webhook.FailingSince = null;
        if (Webhook.ExpirationWarned?.StartsWith(ConnectionEvents.ExpirationReasons.RefreshFailing, StringComparison.Ordinal) == true)
        {
            Webhook.ExpirationWarned = null;
        }
    }

    /// <summary>Adds <c>pending_expiration</c> when the provider announced a loss of access not yet warned about.</summary>
    private bool NoteAccessExpiry(ProviderSession session)
    {
        if (session.AccessExpiry is not { } expiry)
        {
            return false;
        }

        var warned = expiry.Reason + "@" + (expiry.ExpiresAt is { } at ? ConnectionEvents.Time(at.UtcDateTime.Date) : "");
        if (Webhook.ExpirationWarned == warned)
        {
            return false;
        }

        Webhook.ExpirationWarned = warned;
        Raise(ConnectionEvents.PendingExpiration(EventSubject, time.GetUtcNow(), expiry.Reason, expiry.ExpiresAt, null));
        return true;
    }

    private async Task NoteAccessExpiryAsync(ProviderSession session)
    {
        if (state.RecordExists && NoteAccessExpiry(session))
        {
            await state.WriteStateAsync();
            HandOffOutbox();
        }
    }

    /// <summary>
    /// A refresh failed with a retryable error: the streak starts, or, once it has lasted
    /// <see cref="WebhookOptions.FailingRefreshWarning"/>, <c>pending_expiration</c> is raised once for it.
    /// </summary>
    private async Task NoteRetryableFailureAsync()
    {
        if (!state.RecordExists)
        {
            return;
        }

        var now = time.GetUtcNow();
        var started = Webhook.FailingSince is null;
        var since = Webhook.FailingSince ??= now;
        var warned = ConnectionEvents.ExpirationReasons.RefreshFailing + "@" + ConnectionEvents.Time(since);
        var raise = now - since >= WebhookSettings.FailingRefreshWarning && Webhook.ExpirationWarned != warned;
        if (raise)
        {
            Webhook.ExpirationWarned = warned;
            Raise(ConnectionEvents.PendingExpiration(EventSubject, now, ConnectionEvents.ExpirationReasons.RefreshFailing, null, since));
        }

        if (started || raise)
        {
            await state.WriteStateAsync();
            HandOffOutbox();
        }
    }

    /// <summary>
    /// Adds <c>data_updated</c> when the refresh that wrote a new generation read transactions that the previous
    /// generation (still stored until the commit) did not hold, or held with other values. Nothing on the first fetch.
    /// </summary>
    private async Task RaiseDataUpdatedAsync(long? previousGeneration, IReadOnlyCollection<TransactionItem> fresh, DateTimeOffset fetchedAt, bool freshIsWholeList)
    {
        if (previousGeneration is not { } before || fresh.Count == 0)
        {
            return;
        }

        DateTimeOffset? from = freshIsWholeList ? null : fresh.Min(t => t.Date);
        List<TransactionItem> cached;
        string? next;
        try
        {
            (cached, next) = await Data.ReadPageAsync(await GetDataKeyAsync(), before, ListKind<TransactionItem>.Transactions, new ListQuery(500, null, from, null), CancellationToken.None);
        }
        catch (Exception e) when (e is ChunkMissingException or CiphertextRejectedException)
        {
            return; // the old data cannot be read: nothing to compare with, and nothing announced
        }

        DateTimeOffset? cachedFrom = next is null ? from : cached.Count > 0 ? cached.Min(t => t.Date) : from;
        var count = TransactionChanges.Count(fresh, cached, cachedFrom);
        if (count > 0)
        {
            Raise(ConnectionEvents.DataUpdated(EventSubject, time.GetUtcNow(), count, fetchedAt));
        }
    }

    /// <summary>
    /// Disconnect announces itself before anything is deleted, and waits for the webhook grain to have stored the event:
    /// the outbox goes with the state. A disconnect that fails here can be sent again; it raises no second event.
    /// </summary>
    private async Task AnnounceDisconnectAsync()
    {
        if (!state.RecordExists)
        {
            return;
        }

        if (!Webhook.Outbox.Exists(e => e.Type == WebhookEventTypes.Disconnected))
        {
            Raise(ConnectionEvents.Disconnected(EventSubject, time.GetUtcNow()));
            await state.WriteStateAsync();
        }

        await GrainFactory.GetGrain<IWebhookGrain>(state.State.ClientId).AcceptAsync(Webhook.Outbox.ToList());
        Webhook.Outbox.Clear();
    }

    /// <summary>Hands what the outbox holds to the webhook grain in the background; one hand-off at a time.</summary>
    private void HandOffOutbox()
    {
        if (_handingOff || !state.RecordExists || Webhook.Outbox.Count == 0)
        {
            return;
        }

        _handingOff = true;
        _ = HandOffAsync(state.State.ClientId, Webhook.Outbox.ToList());
    }

    private async Task HandOffAsync(string clientId, List<WebhookEvent> batch)
    {
        var handed = false;
        try
        {
            await GrainFactory.GetGrain<IWebhookGrain>(clientId).AcceptAsync(batch);
            await ExclusiveAsync(async () =>
            {
                if (!state.RecordExists)
                {
                    return;
                }

                var ids = batch.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
                if (Webhook.Outbox.RemoveAll(e => ids.Contains(e.Id)) > 0)
                {
                    await state.WriteStateAsync();
                }
            });
            handed = true;
        }
        catch (Exception e)
        {
            // Background work no caller observes: whatever failed, the outbox keeps them; the next activation or refresh reminder hands them over again.
            LogOutboxHandOffFailed(logger, ConnectionId, batch.Count, e.GetType().Name);
        }
        finally
        {
            _handingOff = false;
        }

        if (handed)
        {
            HandOffOutbox(); // events raised while this hand-off ran
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} could not hand {Count} webhook events to delivery ({Reason}); they stay in its outbox")]
    private static partial void LogOutboxHandOffFailed(ILogger logger, string connectionId, int count, string reason);
}
