using PayApi.Contracts;
using PayApi.Grains.Sync;
using PayApi.ProviderData;
using PayApi.Providers;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>
/// Incremental sync, as the grain coordinates it: refreshes run <see cref="IncrementalSync"/> under the gate and
/// commit the generation it wrote; while history is still being backfilled a grain timer runs one bounded batch at a
/// time, each under the gate, so reads keep answering from what is synced so far and no call waits on the backfill.
/// </summary>
public sealed partial class ConnectionGrain
{
    // Durable, unlike the timer: a silo that stops mid-backfill has the grain woken elsewhere to go on.
    private const string BackfillReminder = "backfill";

    // Batches running at once in this process, over all connections: after a deployment, or a silo taking over many
    // connections, every backfilling connection wakes at once; they take turns instead of crowding the silo's cores.
    private static readonly SemaphoreSlim BatchSlots = new(Math.Max(4, 2 * Environment.ProcessorCount));

    private IGrainTimer? _backfillTimer;
    private TimeSpan? _backfillBackoff;
    private bool _backfillReminderSet;

    private IncrementalSync SyncWith(IProviderAdapter adapter, IIncrementalProvider incremental) =>
        new(adapter, incremental, Data, syncOptions.Value);

    /// <summary>What the stored credentials can read: as verified at connect, less what the provider refused since.</summary>
    private IReadOnlyList<string> Granted(IProviderAdapter adapter) => state.State.Capabilities ?? adapter.Info.Capabilities;

    /// <summary>A read of a capability the credentials cannot read answers with why, not with empty data.</summary>
    private void RequireCapability(string capability)
    {
        if (catalog.Find(state.State.Provider) is { } adapter && !Granted(adapter).Contains(capability))
        {
            throw new PayApiException(
                ErrorCodes.Forbidden,
                $"This connection's credentials cannot read {capability} at the provider (see the connection's capabilities). The end-user can reconnect with credentials that may read {capability}: open a connect session with this connection_id.");
        }
    }

    private async Task<DataWindow> SyncRefreshAsync(IProviderAdapter adapter, IIncrementalProvider incremental, ProviderContext context)
    {
        var key = await GetDataKeyAsync();
        var now = time.GetUtcNow();
        var previousGeneration = state.State.DataGeneration;
        IncrementalSync.Outcome outcome;
        try
        {
            outcome = await CallProviderAsync(context, () =>
                SyncWith(adapter, incremental).RefreshAsync(key, state.State.DataGeneration, ConnectionDataStore.NewGeneration(), context, Granted(adapter), now, CancellationToken.None));
        }
        catch (Exception e) when (e is ChunkMissingException or CiphertextRejectedException)
        {
            // The stored data is gone or damaged: worthless, not fatal. Sync starts over from the newest page.
            LogDataUnreadable(logger, ConnectionId, e is ChunkMissingException ? "missing chunk" : "chunk failed its check");
            await DiscardDataAsync();
            previousGeneration = null;
            outcome = await CallProviderAsync(context, () =>
                SyncWith(adapter, incremental).RefreshAsync(key, null, ConnectionDataStore.NewGeneration(), context, Granted(adapter), now, CancellationToken.None));
        }

        await RaiseDataUpdatedAsync(previousGeneration, outcome.TransactionsRead, now, freshIsWholeList: false);
        CommitSync(adapter, outcome, now);
        await MarkHealthyAsync(now); // writes the new generation with the status
        await RemoveStaleChunksAsync(outcome.Written.ChunkNames);
        await StartBackfillAsync();
        return outcome.Written.Window;
    }

    private void CommitSync(IProviderAdapter adapter, IncrementalSync.Outcome outcome, DateTimeOffset fetchedAt)
    {
        var s = state.State;
        s.DataGeneration = outcome.Written.Window.Generation;
        s.CacheFetchedAt = fetchedAt;
        s.SealedCache = null;
        s.Sync = new SyncView(outcome.Marks.IsBackfilling ? SyncStates.Backfilling : SyncStates.Synced, outcome.Marks.OldestAt);
        if (outcome.Refused.Count > 0)
        {
            LogCapabilitiesRefused(logger, ConnectionId, string.Join(',', outcome.Refused));
            s.Capabilities = Granted(adapter).Except(outcome.Refused, StringComparer.Ordinal).ToList();
        }

        _window = outcome.Written.Window;
    }

    /// <summary>Starts the background batches when history is still being backfilled and they are not running.</summary>
    private async Task StartBackfillAsync()
    {
        if (_backfillTimer is not null || !state.RecordExists || state.State.Sync?.State != SyncStates.Backfilling)
        {
            return;
        }

        if (!_backfillReminderSet)
        {
            await this.RegisterOrUpdateReminder(BackfillReminder, MinimumReminderPeriod, MinimumReminderPeriod);
            _backfillReminderSet = true;
        }

        var interval = syncOptions.Value.BatchInterval;
        _backfillBackoff = null;
        _backfillTimer = this.RegisterGrainTimer(
            async _ =>
            {
                // The slot before the gate: a connection waiting its turn keeps answering its own calls.
                await BatchSlots.WaitAsync();
                try
                {
                    await ExclusiveAsync(BackfillBatchAsync);
                }
                finally
                {
                    BatchSlots.Release();
                }
            },
            new GrainTimerCreationOptions(interval, interval) { KeepAlive = true, Interleave = true });
    }

    private void StopBackfill()
    {
        _backfillTimer?.Dispose();
        _backfillTimer = null;
        _backfillBackoff = null;
    }

    /// <summary>The durable wake-up of a backfill: goes on with it, or, when there is none left, unregisters itself.</summary>
    private async Task OnBackfillReminderAsync()
    {
        if (state.RecordExists && state.State.Sync?.State == SyncStates.Backfilling && !UserMustAct)
        {
            _backfillReminderSet = true;
            await StartBackfillAsync();
            return;
        }

        await ForgetBackfillReminderAsync();
    }

    private async Task ForgetBackfillReminderAsync()
    {
        _backfillReminderSet = false;
        if (await this.GetReminder(BackfillReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task BackfillBatchAsync()
    {
        var s = state.State;
        if (!state.RecordExists || s.DataGeneration is not { } before || s.Sync?.State != SyncStates.Backfilling || UserMustAct
            || catalog.Find(s.Provider) is not { } adapter || adapter is not IIncrementalProvider incremental)
        {
            // Nothing to walk, or nothing that may be walked now; the refresh reminder starts it again when there is.
            StopBackfill();
            return;
        }

        try
        {
            var context = await ProviderContextAsync();
            var key = await GetDataKeyAsync();
            var fetchedAt = s.CacheFetchedAt ?? time.GetUtcNow();
            var outcome = await SyncWith(adapter, incremental).ContinueAsync(
                key, before, ConnectionDataStore.NewGeneration(), context, Granted(adapter), fetchedAt, CancellationToken.None);
            if (outcome is null)
            {
                s.Sync = s.Sync with { State = SyncStates.Synced };
                await state.WriteStateAsync();
                StopBackfill();
                await ForgetBackfillReminderAsync();
                return;
            }

            CommitSync(adapter, outcome, fetchedAt);
            await state.WriteStateAsync();
            await RemoveStaleChunksAsync(outcome.Written.ChunkNames);
            LogBackfillBatch(logger, ConnectionId, outcome.Requests, outcome.ItemsRead, outcome.Marks.IsBackfilling);
            if (!outcome.Marks.IsBackfilling)
            {
                StopBackfill();
                await ForgetBackfillReminderAsync();
            }
            else if (_backfillBackoff is not null)
            {
                _backfillBackoff = null;
                _backfillTimer?.Change(syncOptions.Value.BatchInterval, syncOptions.Value.BatchInterval);
            }
        }
        catch (PayApiException e) when (StatusAfter(e.Code) is { } status && status != ConnectionStatus.ProviderUnavailable)
        {
            // The credentials stopped working: the connection says so, and nothing is walked until it is repaired.
            await SetStatusAsync(status, new ErrorInfo(e.Code, e.Detail));
            LogBackfillFailed(logger, ConnectionId, e.Code);
            StopBackfill();
        }
        catch (Exception e) when (e is ChunkMissingException or CiphertextRejectedException)
        {
            // Damaged or gone: worthless, not fatal. The next refresh syncs afresh from the newest page.
            LogDataUnreadable(logger, ConnectionId, e is ChunkMissingException ? "missing chunk" : "chunk failed its check");
            StopBackfill();
            await DiscardDataAsync();
        }
        catch (Exception e) when (e is PayApiException or TimeoutException or Orleans.Runtime.OrleansException)
        {
            // A provider hiccup or a storage outage: the batch is tried again later, backing off; the status stays as it is,
            // since the data already synced still answers.
            LogBackfillFailed(logger, ConnectionId, e is PayApiException p ? p.Code : e.GetType().Name);
            var options = syncOptions.Value;
            var backoff = _backfillBackoff is { } last ? last * 2 : options.BatchBackoff;
            _backfillBackoff = backoff > options.MaxBatchBackoff ? options.MaxBatchBackoff : backoff;
            _backfillTimer?.Change(_backfillBackoff.Value, _backfillBackoff.Value);
        }
    }
}
