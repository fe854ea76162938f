using System.Text.Json;
using Orleans.Storage;
using PayApi.Contracts;
using PayApi.ProviderData;
using PayApi.Providers;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>Provider work: keep-alive, re-login, fetching, and the sealed values it reads and writes.</summary>
public sealed partial class ConnectionGrain
{
    private const string CredentialsField = "credentials";
    private const string CookiesField = "cookies";

    // Plaintext lives only for this activation: the data key (zeroed on deactivation) and the data window.
    private DataKey? _dataKey;
    private bool _refreshing;

    // Until when reads and developer refreshes answer with the last provider failure instead of retrying it.
    private (DateTimeOffset Until, PayApiException Failure)? _providerResting;

    /// <summary>
    /// The refresh path (reminder and <c>POST /v1/connection/refresh</c>): a cheap keep-alive first (plain
    /// HTTP, no browser); a login with the stored credentials only when the provider session is gone; data
    /// is fetched when asked for, or when the provider has no session to keep (API keys).
    /// </summary>
    private async Task RefreshCoreAsync(bool fetchData)
    {
        RequireNoUserActionPending();

        // Readers do not take the gate, so GET /v1/connection shows `refreshing` while this runs.
        _refreshing = true;
        try
        {
            await KeepAliveOrLoginAsync(fetchData);
        }
        finally
        {
            _refreshing = false;
        }
    }

    private async Task KeepAliveOrLoginAsync(bool fetchData)
    {
        var adapter = RequireAdapter();
        var context = await ProviderContextAsync();
        var outcome = await CallProviderAsync(context, async () =>
        {
            KeepAliveResult alive;
            try
            {
                alive = await adapter.KeepAliveAsync(context, CancellationToken.None);
            }
            catch (PayApiException ex)
            {
                Telemetry.PayApiTelemetry.KeepAlive(adapter.Info.Id, ex.Code);
                throw;
            }

            Telemetry.PayApiTelemetry.KeepAlive(adapter.Info.Id, alive switch
            {
                KeepAliveResult.Alive => "alive",
                KeepAliveResult.SessionExpired => "expired",
                _ => "not_needed",
            });
            if (alive == KeepAliveResult.SessionExpired)
            {
                LogReLogin(logger, ConnectionId, adapter.Info.Id);
                try
                {
                    await adapter.VerifyAsync(context, CancellationToken.None);
                }
                catch (PayApiException ex)
                {
                    Telemetry.PayApiTelemetry.Login("relogin", adapter.Info.Id, ex.Code);
                    throw;
                }

                Telemetry.PayApiTelemetry.Login("relogin", adapter.Info.Id, "ok");
            }

            return alive;
        });

        if (fetchData || outcome == KeepAliveResult.NotNeeded)
        {
            await FetchCoreAsync(context);
        }
        else
        {
            await MarkHealthyAsync(time.GetUtcNow());
        }
    }

    private async Task<DataWindow> FetchCoreAsync(ProviderContext? context = null)
    {
        var adapter = RequireAdapter();
        context ??= await ProviderContextAsync();
        if (adapter is IIncrementalProvider incremental)
        {
            return await SyncRefreshAsync(adapter, incremental, context);
        }

        var data = await CallProviderAsync(context, () => adapter.FetchAllAsync(context, CancellationToken.None));
        var snapshot = new ProviderSnapshot(time.GetUtcNow(), data.Balances, data.Transactions, data.Payouts);
        var previousGeneration = state.State.DataGeneration;
        var written = await StoreDataAsync(snapshot);
        await RaiseDataUpdatedAsync(previousGeneration, snapshot.Transactions, snapshot.FetchedAt, freshIsWholeList: true);
        state.State.Sync = new SyncView(SyncStates.Synced, OldestDate(snapshot));
        await MarkHealthyAsync(snapshot.FetchedAt); // commits the new generation with the status
        await RemoveStaleChunksAsync(written.ChunkNames);
        return written.Window;
    }

    private static DateTimeOffset? OldestDate(ProviderSnapshot snapshot)
    {
        var dates = snapshot.Transactions.Select(t => t.Date).Concat(snapshot.Payouts.Select(p => p.ArrivalDate)).ToList();
        return dates.Count == 0 ? null : dates.Min();
    }

    /// <summary>Runs a provider call, persists any session change, and turns typed failures into a status.</summary>
    private async Task<T> CallProviderAsync<T>(ProviderContext context, Func<Task<T>> call)
    {
        var jarBefore = context.Session.CookieJar;
        var proxyBefore = context.Session.Proxy;
        try
        {
            var result = await call();
            await NoteAccessExpiryAsync(context.Session);
            return result;
        }
        catch (PayApiException ex)
        {
            if (StatusAfter(ex.Code) is { } status)
            {
                await SetStatusAsync(status, new ErrorInfo(ex.Code, ex.Detail));
            }

            if (ex.Code is ErrorCodes.ProviderUnavailable or ErrorCodes.BotBlocked or ErrorCodes.DependencyUnavailable)
            {
                await NoteRetryableFailureAsync();
                // Not tried again for a while: the caller is told when (Retry-After), and so is the next one.
                var resting = ex.WithRetryAfter(_options.ProviderRetryDelay);
                _providerResting = (time.GetUtcNow() + _options.ProviderRetryDelay, resting);
                throw resting;
            }

            var forDeveloper = ForDeveloper(ex.Code, ex.Detail);
            if (forDeveloper.Code == ex.Code && forDeveloper.Detail == ex.Detail)
            {
                throw;
            }

            throw forDeveloper;
        }
        finally
        {
            if (!ReferenceEquals(jarBefore, context.Session.CookieJar) || proxyBefore != context.Session.Proxy)
            {
                SealSession(await GetDataKeyAsync(), context.Session);
                await state.WriteStateAsync();
            }
        }
    }

    /// <summary>Records a status and its reason on the connection; writes only when either changed.</summary>
    private async Task SetStatusAsync(string status, ErrorInfo error)
    {
        var s = state.State;
        if (s.Status != status || s.Error != error)
        {
            RaiseStatusChange(s.Status, status, error);
            s.Status = status;
            s.Error = error;
            await state.WriteStateAsync();
            ReportStatus();
            HandOffOutbox();
        }
    }

    private async Task MarkHealthyAsync(DateTimeOffset refreshedAt)
    {
        _providerResting = null;
        var s = state.State;
        s.LastRefreshedAt = refreshedAt;
        s.NextRefreshAt = refreshedAt + (catalog.Find(s.Provider) is { } adapter ? RefreshPeriod(adapter) : _options.RefreshInterval);
        RaiseStatusChange(s.Status, ConnectionStatus.Connected, null);
        NoteHealthy();
        s.Status = ConnectionStatus.Connected;
        s.Error = null;
        await state.WriteStateAsync();
        ReportStatus();
        HandOffOutbox();
    }

    /// <summary>
    /// How often the refresh reminder fires: the provider's keep-alive interval when its session would idle out
    /// sooner than <see cref="GrainOptions.RefreshInterval"/>, never below Orleans' one-minute reminder floor.
    /// </summary>
    private TimeSpan RefreshPeriod(IProviderAdapter adapter)
    {
        var period = adapter.KeepAliveInterval is { } keepAlive && keepAlive < _options.RefreshInterval ? keepAlive : _options.RefreshInterval;
        return period < MinimumReminderPeriod ? MinimumReminderPeriod : period;
    }

    private static readonly TimeSpan MinimumReminderPeriod = TimeSpan.FromMinutes(1);

    private static string? StatusAfter(string errorCode) => errorCode switch
    {
        ErrorCodes.InvalidCredentials or ErrorCodes.LoginRequired or ErrorCodes.InsufficientKeyScope
            or ErrorCodes.PasswordChangeRequired => ConnectionStatus.LoginRequired,
        ErrorCodes.AccountLocked => ConnectionStatus.Locked,
        ErrorCodes.MfaRequired => ConnectionStatus.MfaRequired,
        ErrorCodes.ProviderUnavailable => ConnectionStatus.ProviderUnavailable,
        _ => null,
    };

    /// <summary>
    /// A connection whose end-user must act (wrong or changed password, locked account, a code to enter) is not
    /// retried with the stored credentials: each try could count towards the provider's lockout. Refresh and
    /// stale reads answer with the reason instead, until a repair session reconnects it.
    /// </summary>
    private void RequireNoUserActionPending()
    {
        var s = state.State;
        if (UserMustAct)
        {
            throw ForDeveloper(s.Error?.Code ?? ErrorCodes.LoginRequired, s.Error?.Detail ?? "The end-user must reconnect this account.");
        }
    }

    /// <summary>Answers at once with the provider's last failure while it rests (see <see cref="GrainOptions.ProviderRetryDelay"/>).</summary>
    private void RequireProviderNotResting()
    {
        if (_providerResting is { } resting && time.GetUtcNow() < resting.Until)
        {
            var wait = resting.Until - time.GetUtcNow();
            throw resting.Failure.WithRetryAfter(wait, $"{resting.Failure.Detail} Not retried for another {PayApiException.WholeSeconds(wait)} s.");
        }
    }

    private bool UserMustAct => state.State.Status is ConnectionStatus.LoginRequired or ConnectionStatus.Locked or ConnectionStatus.MfaRequired;

    /// <summary>
    /// What the developer's call gets for a provider failure. The connect-flow codes speak to the end-user at
    /// the Connect page; after connect the developer is told that the end-user must reconnect (409), and the
    /// connection keeps the provider's exact reason in its <c>error</c>.
    /// </summary>
    private static PayApiException ForDeveloper(string code, string detail) => code switch
    {
        ErrorCodes.InvalidCredentials or ErrorCodes.PasswordChangeRequired or ErrorCodes.InsufficientKeyScope
            or ErrorCodes.AccountLocked or ErrorCodes.InvalidMfaCode or ErrorCodes.LoginRequired =>
            new PayApiException(ErrorCodes.LoginRequired, $"{detail} The end-user must reconnect: open a connect session with this connection_id."),
        ErrorCodes.MfaRequired =>
            new PayApiException(ErrorCodes.MfaRequired, "The provider asks the end-user for a one-time code: open a connect session with this connection_id."),
        _ => new PayApiException(code, detail),
    };

    private async Task<ProviderContext> ProviderContextAsync()
    {
        var s = state.State;
        DataKey key;
        try
        {
            key = await GetDataKeyAsync();
        }
        catch (PayApiException ex) when (ex.Code == ErrorCodes.LoginRequired)
        {
            // Without its key the connection can never reach the provider again: say so on the connection.
            await SetStatusAsync(ConnectionStatus.LoginRequired, new ErrorInfo(ex.Code, ex.Detail));
            throw;
        }

        Dictionary<string, string> fields;
        try
        {
            fields = JsonSerializer.Deserialize<Dictionary<string, string>>(key.Open(CredentialsField, s.SealedCredentials!))!;
        }
        catch (CiphertextRejectedException)
        {
            // Stored credentials that fail their integrity check are never used; the end-user must reconnect.
            LogTamperedValue(logger, ConnectionId, CredentialsField);
            var error = new ErrorInfo(ErrorCodes.LoginRequired, "The stored credentials could not be verified; reconnect the account.");
            await SetStatusAsync(ConnectionStatus.LoginRequired, error);
            throw new PayApiException(error.Code, error.Detail);
        }

        var session = new ProviderSession { Proxy = s.Proxy, CookieJar = await OpenCookiesAsync() };
        return new ProviderContext(s.ClientId, ConnectionId, new ProviderCredentials(fields), session);
    }

    private async Task<byte[]?> OpenCookiesAsync()
    {
        if (state.State.SealedCookies is not { } sealedCookies)
        {
            return null;
        }

        try
        {
            return (await GetDataKeyAsync()).Open(CookiesField, sealedCookies);
        }
        catch (CiphertextRejectedException)
        {
            // A jar that fails its check is dropped; the next login builds a new one.
            LogTamperedValue(logger, ConnectionId, CookiesField);
            return null;
        }
    }

    private void SealSession(DataKey key, ProviderSession session)
    {
        state.State.SealedCookies = session.CookieJar is { Length: > 0 } jar ? key.Seal(CookiesField, jar) : null;
        state.State.Proxy = session.Proxy;
    }

    private async Task<DisconnectReceipt> WipeAsync()
    {
        await AnnounceDisconnectAsync();
        var tombstoneToKeep = ConnectionTombstone.Of(state.State, time.GetUtcNow());
        var clientId = state.State.ClientId;
        var sessionIds = state.State.SessionIds.ToList();
        StopBackfill();
        ForgetPlaintext();
        _pendingLogin = null;
        await dataKeys.DeleteAsync(ConnectionId, CancellationToken.None);
        // Before the state: while the state exists, a disconnect that failed here can be sent again.
        await Data.DeleteAllAsync(CancellationToken.None);
        await ClearStoredStateAsync();
        await WriteTombstoneAsync(tombstoneToKeep);
        await bundles.DeleteForConnectionAsync(ConnectionId);
        if (await this.GetReminder(RefreshReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await ForgetBackfillReminderAsync();

        await GrainFactory.GetGrain<IClientGrain>(clientId).ConnectionDisconnectedAsync(ConnectionId);
        foreach (var sessionId in sessionIds)
        {
            await GrainFactory.GetGrain<IConnectSessionGrain>(sessionId).ForgetAsync();
        }

        LogDisconnected(logger, ConnectionId);
        this.DeactivateOnIdle();
        return new DisconnectReceipt(ConnectionId, tombstoneToKeep.DisconnectedAt, WipedParts);
    }

    // A clear whose answer was lost and that the storage client sent again fails its ETag condition against the
    // record its first attempt already deleted. Gone is what a wipe wants, so only a record still there is a conflict.
    private async Task ClearStoredStateAsync()
    {
        try
        {
            await state.ClearStateAsync();
        }
        catch (InconsistentStateException)
        {
            await state.ReadStateAsync();
            if (state.RecordExists)
            {
                throw;
            }
        }
    }

    private async ValueTask<DataKey> GetDataKeyAsync()
    {
        if (_dataKey is not null)
        {
            return _dataKey;
        }

        var encryption = new EncryptionContext(state.State.ClientId, ConnectionId);
        var wrapped = await dataKeys.GetAsync(ConnectionId, CancellationToken.None);
        if (wrapped is null)
        {
            throw state.RecordExists
                ? new PayApiException(ErrorCodes.LoginRequired, "The connection's key is gone; reconnect the account.")
                : PayApiException.Unauthorized("The access token is not valid."); // disconnected while this call awaited
        }

        DataKey opened;
        try
        {
            opened = new DataKey(encryption, await keyring.UnwrapAsync(wrapped, encryption, CancellationToken.None));
        }
        catch (CiphertextRejectedException)
        {
            LogTamperedValue(logger, ConnectionId, "data_key");
            throw new PayApiException(ErrorCodes.LoginRequired, "The connection's key could not be verified; reconnect the account.");
        }

        // A disconnect may have run while this call awaited (reads come here without the gate): bring nothing back.
        if (!state.RecordExists)
        {
            opened.Dispose();
            throw PayApiException.Unauthorized("The access token is not valid.");
        }

        // Another caller of this reentrant grain may have opened it while this one awaited: keep one, zero the other.
        if (_dataKey is not null)
        {
            opened.Dispose();
            return _dataKey;
        }

        _dataKey = opened;
        return _dataKey;
    }

    private void ForgetPlaintext()
    {
        _dataKey?.Dispose();
        _dataKey = null;
        _window = null;
    }
}
