using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using PayApi.Contracts;
using PayApi.ProviderData;
using PayApi.Providers;
using PayApi.Scraping;
using PayApi.Telemetry;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>
/// One end-user connection and the single writer for everything about it. The grain is reentrant so a
/// read of a fresh cache never queues behind a browser login; every operation that talks to the
/// provider or writes state takes <see cref="_gate"/>, so logins, refreshes and disconnect never race.
/// </summary>
[Reentrant]
public sealed partial class ConnectionGrain(
    [PersistentState("connection", StorageNames.Default)] IPersistentState<ConnectionState> state,
    [PersistentState("tombstone", StorageNames.Default)] IPersistentState<ConnectionTombstone> tombstone,
    IKeyring keyring,
    IDataKeyStore dataKeys,
    IChunkStore chunks,
    IOptions<ProviderDataOptions> dataOptions,
    IOptions<Sync.SyncOptions> syncOptions,
    IProviderCatalog catalog,
    FailureBundleStore bundles,
    IOptions<GrainOptions> options,
    TimeProvider time,
    ILogger<ConnectionGrain> logger) : Grain, IConnectionGrain, IRemindable
{
    private const string RefreshReminder = "refresh";

    private static readonly string[] WipedParts = ["credentials", "cookies", "cache", "data_key"];

    private readonly GrainOptions _options = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RefreshPacing _developerRefreshes = new(time);
    private readonly ConnectionStatusMeter _statusMeter = new();

    private string ConnectionId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        state.RecordExists
            ? ExclusiveAsync(async () =>
            {
                ReportStatus();
                await EnforceCacheAgeAsync();
                await StartBackfillAsync(); // a backfill the previous activation did not finish goes on
                HandOffOutbox(); // events a crash left in the outbox
            })
            : Task.CompletedTask;

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A developer refresh runs past its 202: a silo shutting down lets it finish (within the deactivation timeout).
        await FinishBackgroundRefreshAsync(cancellationToken);
        ForgetPlaintext();
        _statusMeter.Report(null);
    }

    /// <summary>Moves this grain's count in the <c>payapi.connections</c> metric to its current status.</summary>
    private void ReportStatus() => _statusMeter.Report(state.RecordExists ? state.State.Status : null);

    public Task<ConnectOutcome> ConnectAsync(ConnectRequest request) => ExclusiveAsync(() => ConnectCoreAsync(request));

    public Task<ConnectOutcome> SubmitMfaAsync(string clientId, string code) => ExclusiveAsync(() => SubmitMfaCoreAsync(clientId, code));

    public async Task<ConnectionView> GetAsync(string clientId)
    {
        if (!state.RecordExists || state.State.ClientId != clientId)
        {
            if (TombstoneView(clientId) is { } disconnected)
            {
                return disconnected;
            }

            await PurgeIfExpiredAsync();
            throw PayApiException.NotFound("connection");
        }

        return View();
    }

    public Task<ConnectionView> GetByTokenAsync(TokenGrant grant)
    {
        Authorize(grant);
        return Task.FromResult(View());
    }

    public async Task<BalanceView> GetBalanceAsync(TokenGrant grant)
    {
        Authorize(grant);
        RequireCapability(Capabilities.Balance);
        var (window, cached) = await ReadWindowAsync();
        return new BalanceView(window.Balances, window.FetchedAt, cached);
    }

    public Task<PageView<TransactionItem>> GetTransactionsAsync(TokenGrant grant, ListQuery query)
    {
        Authorize(grant);
        RequireCapability(Capabilities.Transactions);
        return ReadPageAsync(ListKind<TransactionItem>.Transactions, w => w.Transactions, query);
    }

    public Task<PageView<PayoutItem>> GetPayoutsAsync(TokenGrant grant, ListQuery query)
    {
        Authorize(grant);
        RequireCapability(Capabilities.Payouts);
        return ReadPageAsync(ListKind<PayoutItem>.Payouts, w => w.Payouts, query);
    }

    public Task RefreshAsync(TokenGrant grant)
    {
        Authorize(grant);

        // The reason a refresh cannot run outranks "too soon": the caller learns what to fix.
        RequireNoUserActionPending();
        RequireProviderNotResting();
        var minInterval = catalog.Find(state.State.Provider)?.MinRefreshInterval ?? IProviderAdapter.DefaultMinRefreshInterval;
        return _developerRefreshes.JoinOrStartAsync(minInterval, () => ExclusiveAsync(() =>
        {
            Authorize(grant); // again: a disconnect may have run while this call waited for the gate
            RequireProviderNotResting();
            return RefreshCoreAsync(fetchData: true);
        }));
    }

    public Task RequestRefreshAsync(TokenGrant grant)
    {
        Authorize(grant);
        RequireNoUserActionPending();
        RequireProviderNotResting();
        if (_developerRefreshes.InFlight)
        {
            return Task.CompletedTask; // joins it: one provider fetch for every caller
        }

        var minInterval = catalog.Find(state.State.Provider)?.MinRefreshInterval ?? IProviderAdapter.DefaultMinRefreshInterval;
        var refresh = _developerRefreshes.JoinOrStartAsync(minInterval, () => ExclusiveAsync(() =>
        {
            Authorize(grant); // again: a disconnect may have run while this call waited for the gate
            RequireProviderNotResting();
            return RefreshCoreAsync(fetchData: true);
        }));
        _backgroundRefresh = RecordBackgroundRefreshAsync(refresh);
        return Task.CompletedTask;
    }

    public Task<DisconnectReceipt> DisconnectByTokenAsync(TokenGrant grant)
    {
        Authorize(grant);
        return ExclusiveAsync(() =>
        {
            Authorize(grant);
            return WipeAsync();
        });
    }

    public async Task<DisconnectReceipt> DisconnectAsync(string clientId)
    {
        if (!state.RecordExists || state.State.ClientId != clientId)
        {
            // Disconnecting again answers the first disconnect's receipt while the tombstone lasts.
            if (TombstoneReceipt(clientId) is { } receipt)
            {
                return receipt;
            }

            await PurgeIfExpiredAsync();
            throw PayApiException.NotFound("connection");
        }

        return await ExclusiveAsync(async () => state.RecordExists && state.State.ClientId == clientId
            ? await WipeAsync()
            : TombstoneReceipt(clientId) ?? throw PayApiException.NotFound("connection"));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName switch
    {
        RefreshReminder => ExclusiveAsync(() => OnRefreshReminderAsync(status.Period)),
        BackfillReminder => ExclusiveAsync(OnBackfillReminderAsync),
        TombstoneReminder => ExclusiveAsync(OnTombstoneReminderAsync),
        _ => Task.CompletedTask,
    };

    private async Task OnRefreshReminderAsync(TimeSpan registeredPeriod)
    {
        if (!state.RecordExists)
        {
            // The connection was wiped; a stray reminder must not keep waking it.
            if (await this.GetReminder(RefreshReminder) is { } stray)
            {
                await this.UnregisterReminder(stray);
            }

            return;
        }

        HandOffOutbox(); // a hand-off that failed earlier is tried again
        if (UserMustAct)
        {
            // The stored credentials already failed for a reason the end-user must fix; retrying them on a
            // timer would only count towards the provider's lockout.
            LogRefreshSkipped(logger, ConnectionId, state.State.Status);
        }
        else
        {
            try
            {
                await RefreshCoreAsync(fetchData: false);
            }
            catch (PayApiException ex)
            {
                LogRefreshFailed(logger, ConnectionId, ex.Code);
            }
        }

        await EnforceCacheAgeAsync();
        await RemoveUnreferencedChunksAsync();
        await StartBackfillAsync(); // after a failure stopped it, or in a new activation

        // The provider's keep-alive interval or the configured refresh interval changed since it was registered.
        if (state.RecordExists && catalog.Find(state.State.Provider) is { } adapter && RefreshPeriod(adapter) is var period && period != registeredPeriod)
        {
            await this.RegisterOrUpdateReminder(RefreshReminder, period, period);
        }
    }

    private async Task<T> ExclusiveAsync<T>(Func<Task<T>> work)
    {
        await _gate.WaitAsync();
        try
        {
            return await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task ExclusiveAsync(Func<Task> work) => ExclusiveAsync(async () =>
    {
        await work();
        return true;
    });

    private void Authorize(TokenGrant grant)
    {
        if (!state.RecordExists || state.State.ClientId != grant.ClientId || state.State.Generation != grant.Generation)
        {
            throw PayApiException.Unauthorized("The access token is not valid.");
        }
    }

    private ConnectionView View()
    {
        var s = state.State;
        var status = (_refreshing || _developerRefreshes.InFlight) && s.Status != ConnectionStatus.Disconnected ? ConnectionStatus.Refreshing : s.Status;
        var capabilities = catalog.Find(s.Provider) is { } adapter ? Granted(adapter) : s.Capabilities ?? [];

        // Data fetched whole (a web login, or an earlier build) is all there is; before the first fetch, nothing is synced yet.
        var sync = s.Sync ?? new SyncView(s.DataGeneration is null ? SyncStates.Backfilling : SyncStates.Synced, null);
        return new ConnectionView(ConnectionId, s.Provider, s.EndUserId, status, s.CreatedAt, s.LastRefreshedAt, s.NextRefreshAt, s.Error, sync, capabilities);
    }

    private IProviderAdapter RequireAdapter() =>
        catalog.Find(state.State.Provider)
        ?? throw new PayApiException(ErrorCodes.ProviderUnavailable, "This provider is not offered by this deployment right now.");
}
