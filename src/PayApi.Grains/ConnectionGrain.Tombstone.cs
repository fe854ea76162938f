using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>
/// The disconnected connection's tombstone: written by the wipe, shown (<c>status: disconnected</c>) and answering a
/// repeated disconnect with the first receipt until <see cref="GrainOptions.TombstoneRetention"/> has passed, then
/// deleted by a reminder (or by the first read that finds it expired, whichever comes first).
/// </summary>
public sealed partial class ConnectionGrain
{
    private const string TombstoneReminder = "tombstone";

    private async Task WriteTombstoneAsync(ConnectionTombstone kept)
    {
        tombstone.State = kept;
        await tombstone.WriteStateAsync();

        // Reminders repeat at least once a minute; the first tick comes at the end of the retention.
        var retention = _options.TombstoneRetention;
        await this.RegisterOrUpdateReminder(TombstoneReminder, retention, retention < MinimumReminderPeriod ? MinimumReminderPeriod : retention);
    }

    /// <summary>The tombstone as a connection object for this client; null when there is none or it has expired.</summary>
    private ConnectionView? TombstoneView(string clientId)
    {
        if (!LiveTombstone(clientId))
        {
            return null;
        }

        var t = tombstone.State;
        return new ConnectionView(
            ConnectionId, t.Provider, t.EndUserId, ConnectionStatus.Disconnected, t.CreatedAt, t.LastRefreshedAt, NextRefreshAt: null, Error: null,
            Sync: null, Capabilities: [], DisconnectedAt: t.DisconnectedAt);
    }

    private DisconnectReceipt? TombstoneReceipt(string clientId) =>
        LiveTombstone(clientId) ? new DisconnectReceipt(ConnectionId, tombstone.State.DisconnectedAt, WipedParts) : null;

    private bool LiveTombstone(string clientId) =>
        tombstone.RecordExists && !state.RecordExists && tombstone.State.ClientId == clientId && !TombstoneExpired;

    /// <summary>Deletes an expired tombstone found by a read before its reminder came; not to be called holding the gate.</summary>
    private Task PurgeIfExpiredAsync() =>
        tombstone.RecordExists && TombstoneExpired ? ExclusiveAsync(PurgeExpiredTombstoneAsync) : Task.CompletedTask;

    private bool TombstoneExpired => time.GetUtcNow() - tombstone.State.DisconnectedAt >= _options.TombstoneRetention;

    private async Task OnTombstoneReminderAsync()
    {
        if (tombstone.RecordExists && !TombstoneExpired)
        {
            return; // fired early (clock skew between silos): the next tick deletes it
        }

        await PurgeExpiredTombstoneAsync();
    }

    private async Task PurgeExpiredTombstoneAsync()
    {
        if (tombstone.RecordExists && TombstoneExpired)
        {
            var clientId = tombstone.State.ClientId;
            await tombstone.ClearStateAsync();
            await GrainFactory.GetGrain<IClientGrain>(clientId).ConnectionRemovedAsync(ConnectionId);
            LogTombstoneDeleted(logger, ConnectionId);
        }

        if (!tombstone.RecordExists && await this.GetReminder(TombstoneReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
