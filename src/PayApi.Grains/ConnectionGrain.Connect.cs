using System.Text.Json;
using PayApi.Contracts;
using PayApi.Providers;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>Connecting and repairing: verify with the provider, then store credentials and session sealed.</summary>
public sealed partial class ConnectionGrain
{
    // A login stopped at the MFA step waits here, in memory only: unverified credentials are never stored.
    private PendingLogin? _pendingLogin;

    private sealed record PendingLogin(ConnectRequest Request, ProviderContext Context, DateTimeOffset ExpiresAt);

    // The proxy a refused attempt went out through: the end-user's next try comes from the same address, as a
    // person retrying at the bank would (a new address for each wrong password looks like an attack).
    private string? _attemptProxy;

    private async Task<ConnectOutcome> ConnectCoreAsync(ConnectRequest request)
    {
        // A repair of a connection disconnected meanwhile must not bring it (and its old tokens) back.
        if (request.Repair && !state.RecordExists)
        {
            throw PayApiException.NotFound("connection");
        }

        if (state.RecordExists && state.State.ClientId != request.ClientId)
        {
            throw PayApiException.NotFound("connection");
        }

        var adapter = catalog.Find(request.Credentials.Provider)
            ?? throw PayApiException.Invalid("provider is not a known provider id.");
        _pendingLogin = null;

        // A repair keeps the proxy (and device cookies) so the provider sees the same client as before.
        var session = new ProviderSession { Proxy = state.RecordExists ? state.State.Proxy : _attemptProxy };
        if (state.RecordExists && state.State.Provider == adapter.Info.Id)
        {
            try
            {
                session.CookieJar = await OpenCookiesAsync();
            }
            catch (PayApiException ex) when (ex.Code == ErrorCodes.LoginRequired)
            {
                // The connection's key is lost: its cookies are too. The repair signs in afresh and gets a new key.
            }
        }

        var context = new ProviderContext(request.ClientId, ConnectionId, new ProviderCredentials(request.Credentials.Fields), session);
        IReadOnlyList<string> granted;
        try
        {
            granted = await adapter.VerifyAccessAsync(context, CancellationToken.None);
            Telemetry.PayApiTelemetry.Login("connect", adapter.Info.Id, "ok");
        }
        catch (PayApiException ex) when (ex.Code == ErrorCodes.MfaRequired)
        {
            Telemetry.PayApiTelemetry.Login("connect", adapter.Info.Id, ex.Code);
            _attemptProxy = context.Session.Proxy;
            _pendingLogin = new PendingLogin(request, context, time.GetUtcNow() + _options.SessionLifetime);
            LogMfaRequired(logger, ConnectionId, adapter.Info.Id);
            return new ConnectOutcome(false, new ErrorInfo(ex.Code, ex.Detail), 0);
        }
        catch (PayApiException ex)
        {
            Telemetry.PayApiTelemetry.Login("connect", adapter.Info.Id, ex.Code);
            _attemptProxy = context.Session.Proxy;
            LogConnectRefused(logger, ConnectionId, adapter.Info.Id, ex.Code);
            return new ConnectOutcome(false, new ErrorInfo(ex.Code, ex.Detail), 0);
        }

        return await CompleteConnectAsync(request, adapter, context, granted);
    }

    private async Task<ConnectOutcome> SubmitMfaCoreAsync(string clientId, string code)
    {
        var pending = _pendingLogin;
        if (pending is null || pending.Request.ClientId != clientId || time.GetUtcNow() > pending.ExpiresAt)
        {
            _pendingLogin = null;
            return new ConnectOutcome(false, new ErrorInfo(ErrorCodes.LoginRequired, "The sign-in waiting for this code is gone. Enter your credentials again."), 0);
        }

        var adapter = catalog.Find(pending.Request.Credentials.Provider)
            ?? throw PayApiException.Invalid("provider is not a known provider id.");
        try
        {
            await adapter.SubmitMfaAsync(pending.Context, code, CancellationToken.None);
            Telemetry.PayApiTelemetry.Login("mfa", adapter.Info.Id, "ok");
        }
        catch (PayApiException ex)
        {
            Telemetry.PayApiTelemetry.Login("mfa", adapter.Info.Id, ex.Code);
            LogConnectRefused(logger, ConnectionId, adapter.Info.Id, ex.Code);
            if (ex.Code != ErrorCodes.InvalidMfaCode && ex.Code != ErrorCodes.MfaRequired)
            {
                _pendingLogin = null;
            }

            return new ConnectOutcome(false, new ErrorInfo(ex.Code, ex.Detail), 0);
        }

        _pendingLogin = null;
        return await CompleteConnectAsync(pending.Request, adapter, pending.Context, adapter.Info.Capabilities);
    }

    private async Task<DataKey> NewDataKeyAsync(string clientId)
    {
        var encryption = new EncryptionContext(clientId, ConnectionId);
        var generated = await keyring.GenerateDataKeyAsync(encryption, CancellationToken.None);
        await dataKeys.PutAsync(new WrappedKeyRecord(ConnectionId, clientId, generated.KeyId, generated.Wrapped), CancellationToken.None);
        _dataKey?.Dispose();
        _dataKey = new DataKey(encryption, generated.Plaintext);
        return _dataKey;
    }

    private async Task<ConnectOutcome> CompleteConnectAsync(ConnectRequest request, IProviderAdapter adapter, ProviderContext context, IReadOnlyList<string> granted)
    {
        if (request.Repair && !state.RecordExists)
        {
            throw PayApiException.NotFound("connection");
        }

        var repair = state.RecordExists;
        var now = time.GetUtcNow();
        if (!repair)
        {
            state.State = new ConnectionState
            {
                ClientId = request.ClientId,
                EndUserId = request.EndUserId,
                CreatedAt = now,
                Generation = 1,
            };
            await NewDataKeyAsync(request.ClientId);
        }

        DataKey key;
        try
        {
            key = await GetDataKeyAsync();
        }
        catch (PayApiException ex) when (repair && ex.Code == ErrorCodes.LoginRequired)
        {
            // The stored key is gone or failed its check (say, keys.db restored from an older backup): nothing
            // sealed under it can be read again, so the repair seals the new credentials under a new key.
            LogDataKeyReplaced(logger, ConnectionId);
            key = await NewDataKeyAsync(request.ClientId);
        }

        var s = state.State;
        s.Provider = adapter.Info.Id;
        s.SealedCredentials = key.Seal(CredentialsField, JsonSerializer.SerializeToUtf8Bytes(context.Credentials.ToDictionary()));
        SealSession(key, context.Session);
        var previousStatus = repair ? s.Status : null;
        s.Status = ConnectionStatus.Connected;
        s.Error = null;
        var hadData = ForgetData(); // new credentials may see another account: never serve the old data
        s.Capabilities = granted.ToList();
        s.LastRefreshedAt = now; // the provider just accepted these credentials
        s.NextRefreshAt = now + RefreshPeriod(adapter);
        if (!s.SessionIds.Contains(request.SessionId))
        {
            s.SessionIds.Add(request.SessionId);
        }

        RaiseConnected(repair, previousStatus); // in the same write as the connection itself
        NoteAccessExpiry(context.Session);
        await state.WriteStateAsync();
        ReportStatus();
        if (hadData)
        {
            await RemoveStaleChunksAsync(NoChunks);
        }

        await GrainFactory.GetGrain<IClientGrain>(s.ClientId).ConnectionAddedAsync(new OwnedConnection(ConnectionId, s.EndUserId));
        await this.RegisterOrUpdateReminder(RefreshReminder, RefreshPeriod(adapter), RefreshPeriod(adapter));
        LogConnected(logger, ConnectionId, s.Provider, repair);
        HandOffOutbox();

        // The first fetch runs after this call returns (it queues on the gate), so the end-user is not kept
        // waiting for a full scrape; a read that arrives meanwhile waits for it instead of fetching twice.
        _ = ExclusiveAsync(FirstFetchAsync);
        return new ConnectOutcome(true, null, s.Generation);
    }

    private async Task FirstFetchAsync()
    {
        if (!state.RecordExists || FreshWindow() is not null)
        {
            return;
        }

        try
        {
            await FetchCoreAsync();
        }
        catch (Exception ex) when (ex is PayApiException or TimeoutException or Orleans.Runtime.OrleansException)
        {
            // A courtesy fetch: the connection is made even when the provider hiccups now; reads retry.
            LogRefreshFailed(logger, ConnectionId, ex is PayApiException p ? p.Code : ex.GetType().Name);
            if (ex is not PayApiException)
            {
                // Storage may not have taken what memory now holds; no call filter sees this background work.
                DeactivateOnIdle();
            }
        }
    }
}
