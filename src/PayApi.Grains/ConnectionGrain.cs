using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.Contracts;
using PayApi.Providers;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>
/// One end-user connection and the single writer for everything about it: login, refresh, reads and
/// disconnect all go through here, so two logins for one account never race.
/// </summary>
public sealed partial class ConnectionGrain(
    [PersistentState("connection", StorageNames.Default)] IPersistentState<ConnectionState> state,
    IKeyring keyring,
    IDataKeyStore dataKeys,
    IProviderCatalog catalog,
    IOptions<GrainOptions> options,
    TimeProvider time,
    ILogger<ConnectionGrain> logger) : Grain, IConnectionGrain, IRemindable
{
    private const string CredentialsField = "credentials";
    private const string CacheField = "cache";
    private const string RefreshReminder = "refresh";

    private static readonly string[] WipedParts = ["credentials", "cookies", "cache", "data_key"];

    private readonly GrainOptions _options = options.Value;

    // Plaintext lives only for this activation: the data key (zeroed on deactivation) and the decrypted cache.
    private DataKey? _dataKey;
    private ProviderSnapshot? _snapshot;

    private string ConnectionId => this.GetPrimaryKeyString();

    private EncryptionContext Context => new(state.State.ClientId, ConnectionId);

    public override Task OnActivateAsync(CancellationToken cancellationToken) =>
        state.RecordExists ? EnforceCacheAgeAsync() : Task.CompletedTask;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ForgetPlaintext();
        return Task.CompletedTask;
    }

    public async Task<ConnectOutcome> ConnectAsync(ConnectRequest request)
    {
        var repair = state.RecordExists;
        if (repair && state.State.ClientId != request.ClientId)
        {
            throw PayApiException.NotFound("connection");
        }

        var adapter = catalog.Find(request.Credentials.Provider)
            ?? throw PayApiException.Invalid("provider is not a known provider id.");
        var credentials = new ProviderCredentials(request.Credentials.Fields);
        try
        {
            await adapter.VerifyAsync(new ProviderContext(ConnectionId, credentials), CancellationToken.None);
        }
        catch (PayApiException ex)
        {
            LogConnectRefused(logger, ConnectionId, adapter.Info.Id, ex.Code);
            return new ConnectOutcome(false, new ErrorInfo(ex.Code, ex.Detail), 0);
        }

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
            var generated = await keyring.GenerateDataKeyAsync(Context, CancellationToken.None);
            await dataKeys.PutAsync(new WrappedKeyRecord(ConnectionId, request.ClientId, generated.KeyId, generated.Wrapped), CancellationToken.None);
            _dataKey = new DataKey(Context, generated.Plaintext);
        }

        var key = await GetDataKeyAsync();
        var s = state.State;
        s.Provider = adapter.Info.Id;
        s.SealedCredentials = key.Seal(CredentialsField, JsonSerializer.SerializeToUtf8Bytes(credentials.ToDictionary()));
        s.Status = ConnectionStatus.Connected;
        s.Error = null;
        s.SealedCache = null; // new credentials may see another account: never serve the old data
        s.CacheFetchedAt = null;
        _snapshot = null;
        s.NextRefreshAt = now + _options.RefreshInterval;
        if (!s.SessionIds.Contains(request.SessionId))
        {
            s.SessionIds.Add(request.SessionId);
        }

        await state.WriteStateAsync();

        await GrainFactory.GetGrain<IClientGrain>(s.ClientId).ConnectionAddedAsync(new OwnedConnection(ConnectionId, s.EndUserId));
        await this.RegisterOrUpdateReminder(RefreshReminder, _options.RefreshInterval, _options.RefreshInterval);
        LogConnected(logger, ConnectionId, s.Provider, repair);

        // The first fetch is a courtesy: the connection is made even when the provider hiccups now.
        try
        {
            await FetchAsync(adapter);
        }
        catch (PayApiException ex)
        {
            LogRefreshFailed(logger, ConnectionId, ex.Code);
        }

        return new ConnectOutcome(true, null, s.Generation);
    }

    public Task<ConnectionView> GetAsync(string clientId)
    {
        if (!state.RecordExists || state.State.ClientId != clientId)
        {
            throw PayApiException.NotFound("connection");
        }

        return Task.FromResult(View());
    }

    public Task<ConnectionView> GetByTokenAsync(TokenGrant grant)
    {
        Authorize(grant);
        return Task.FromResult(View());
    }

    public async Task<BalanceView> GetBalanceAsync(TokenGrant grant)
    {
        Authorize(grant);
        var (snapshot, cached) = await ReadSnapshotAsync();
        return new BalanceView(snapshot.Balances, snapshot.FetchedAt, cached);
    }

    public async Task<PageView<TransactionItem>> GetTransactionsAsync(TokenGrant grant, ListQuery query)
    {
        Authorize(grant);
        var (snapshot, cached) = await ReadSnapshotAsync();
        var (page, next) = Paging.Slice(snapshot.Transactions, t => t.Id, t => t.Date, query);
        return new PageView<TransactionItem>(page, next, snapshot.FetchedAt, cached);
    }

    public async Task<PageView<PayoutItem>> GetPayoutsAsync(TokenGrant grant, ListQuery query)
    {
        Authorize(grant);
        var (snapshot, cached) = await ReadSnapshotAsync();
        var (page, next) = Paging.Slice(snapshot.Payouts, p => p.Id, p => p.ArrivalDate, query);
        return new PageView<PayoutItem>(page, next, snapshot.FetchedAt, cached);
    }

    public async Task RefreshAsync(TokenGrant grant)
    {
        Authorize(grant);
        await FetchAsync(RequireAdapter());
    }

    public Task<DisconnectReceipt> DisconnectByTokenAsync(TokenGrant grant)
    {
        Authorize(grant);
        return WipeAsync();
    }

    public Task<DisconnectReceipt> DisconnectAsync(string clientId)
    {
        if (!state.RecordExists || state.State.ClientId != clientId)
        {
            throw PayApiException.NotFound("connection");
        }

        return WipeAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RefreshReminder)
        {
            return;
        }

        if (!state.RecordExists)
        {
            // The connection was wiped; a stray reminder must not keep waking it.
            var stray = await this.GetReminder(RefreshReminder);
            if (stray is not null)
            {
                await this.UnregisterReminder(stray);
            }

            return;
        }

        try
        {
            await FetchAsync(RequireAdapter());
        }
        catch (PayApiException ex)
        {
            LogRefreshFailed(logger, ConnectionId, ex.Code);
        }

        await EnforceCacheAgeAsync();
    }

    private async Task<(ProviderSnapshot Snapshot, bool Cached)> ReadSnapshotAsync()
    {
        var adapter = RequireAdapter();
        var now = time.GetUtcNow();
        if (_snapshot is null && state.State.SealedCache is not null && now - state.State.CacheFetchedAt < adapter.CacheTtl)
        {
            // First read in this activation: decrypt once, then serve from memory.
            var key = await GetDataKeyAsync();
            try
            {
                _snapshot = ProviderSnapshot.FromUtf8Json(key.Open(CacheField, state.State.SealedCache));
            }
            catch (CiphertextRejectedException)
            {
                // A cache that fails its integrity check is worthless, not fatal: fetch afresh below.
                LogTamperedValue(logger, ConnectionId, CacheField);
                _snapshot = null;
            }
        }

        if (_snapshot is not null && now - _snapshot.FetchedAt < adapter.CacheTtl)
        {
            return (_snapshot, true);
        }

        return (await FetchAsync(adapter), false);
    }

    private async Task<ProviderSnapshot> FetchAsync(IProviderAdapter adapter)
    {
        var key = await GetDataKeyAsync();
        var s = state.State;
        Dictionary<string, string> fields;
        try
        {
            fields = JsonSerializer.Deserialize<Dictionary<string, string>>(key.Open(CredentialsField, s.SealedCredentials!))!;
        }
        catch (CiphertextRejectedException)
        {
            // Stored credentials that fail their integrity check are never used; the end-user must reconnect.
            LogTamperedValue(logger, ConnectionId, CredentialsField);
            s.Status = ConnectionStatus.LoginRequired;
            s.Error = new ErrorInfo(ErrorCodes.LoginRequired, "The stored credentials could not be verified; reconnect the account.");
            await state.WriteStateAsync();
            throw new PayApiException(ErrorCodes.LoginRequired, s.Error.Detail);
        }

        var context = new ProviderContext(ConnectionId, new ProviderCredentials(fields));
        ProviderSnapshot snapshot;
        try
        {
            var balances = await adapter.GetBalanceAsync(context, CancellationToken.None);
            var transactions = await FetchAllAsync((c, ct) => adapter.GetTransactionsAsync(context, c, ct));
            var payouts = await FetchAllAsync((c, ct) => adapter.GetPayoutsAsync(context, c, ct));
            snapshot = new ProviderSnapshot(time.GetUtcNow(), balances, transactions, payouts);
        }
        catch (PayApiException ex)
        {
            var status = StatusAfter(ex.Code);
            if (status is not null && (s.Status != status || s.Error?.Code != ex.Code))
            {
                s.Status = status;
                s.Error = new ErrorInfo(ex.Code, ex.Detail);
                await state.WriteStateAsync();
            }

            throw;
        }

        _snapshot = snapshot;
        s.SealedCache = key.Seal(CacheField, snapshot.ToUtf8Json());
        s.CacheFetchedAt = snapshot.FetchedAt;
        s.LastRefreshedAt = snapshot.FetchedAt;
        s.NextRefreshAt = snapshot.FetchedAt + _options.RefreshInterval;
        s.Status = ConnectionStatus.Connected;
        s.Error = null;
        await state.WriteStateAsync();
        return snapshot;
    }

    private static async Task<List<T>> FetchAllAsync<T>(Func<string?, CancellationToken, Task<ProviderPage<T>>> fetchPage)
    {
        const int MaxPages = 200; // a provider that never ends its cursor must not pin the grain forever
        var all = new List<T>();
        string? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var result = await fetchPage(cursor, CancellationToken.None);
            all.AddRange(result.Items);
            cursor = result.NextCursor;
            if (cursor is null)
            {
                return all;
            }
        }

        throw new PayApiException(ErrorCodes.UnexpectedProviderResponse, "The provider kept returning more pages than expected.");
    }

    private static string? StatusAfter(string errorCode) => errorCode switch
    {
        ErrorCodes.InvalidCredentials or ErrorCodes.LoginRequired or ErrorCodes.InsufficientKeyScope
            or ErrorCodes.PasswordChangeRequired => ConnectionStatus.LoginRequired,
        ErrorCodes.AccountLocked => ConnectionStatus.Locked,
        ErrorCodes.MfaRequired => ConnectionStatus.MfaRequired,
        ErrorCodes.ProviderUnavailable => ConnectionStatus.ProviderUnavailable,
        _ => null,
    };

    private async Task EnforceCacheAgeAsync()
    {
        var s = state.State;
        if (s.CacheFetchedAt is { } fetched && time.GetUtcNow() - fetched > _options.MaxCacheAge)
        {
            s.SealedCache = null;
            s.CacheFetchedAt = null;
            _snapshot = null;
            await state.WriteStateAsync();
            LogCacheExpired(logger, ConnectionId);
        }
    }

    private async Task<DisconnectReceipt> WipeAsync()
    {
        var clientId = state.State.ClientId;
        var sessionIds = state.State.SessionIds.ToList();
        ForgetPlaintext();
        await dataKeys.DeleteAsync(ConnectionId, CancellationToken.None);
        await state.ClearStateAsync();
        var reminder = await this.GetReminder(RefreshReminder);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }

        await GrainFactory.GetGrain<IClientGrain>(clientId).ConnectionRemovedAsync(ConnectionId);
        foreach (var sessionId in sessionIds)
        {
            await GrainFactory.GetGrain<IConnectSessionGrain>(sessionId).ForgetAsync();
        }

        LogDisconnected(logger, ConnectionId);
        this.DeactivateOnIdle();
        return new DisconnectReceipt(ConnectionId, time.GetUtcNow(), WipedParts);
    }

    private async ValueTask<DataKey> GetDataKeyAsync()
    {
        if (_dataKey is not null)
        {
            return _dataKey;
        }

        var wrapped = await dataKeys.GetAsync(ConnectionId, CancellationToken.None)
            ?? throw new PayApiException(ErrorCodes.LoginRequired, "The connection's key is gone; reconnect the account.");
        byte[] plaintext;
        try
        {
            plaintext = await keyring.UnwrapAsync(wrapped, Context, CancellationToken.None);
        }
        catch (CiphertextRejectedException)
        {
            LogTamperedValue(logger, ConnectionId, "data_key");
            throw new PayApiException(ErrorCodes.LoginRequired, "The connection's key could not be verified; reconnect the account.");
        }

        _dataKey = new DataKey(Context, plaintext);
        return _dataKey;
    }

    private void ForgetPlaintext()
    {
        _dataKey?.Dispose();
        _dataKey = null;
        _snapshot = null;
    }

    private IProviderAdapter RequireAdapter() =>
        catalog.Find(state.State.Provider)
        ?? throw new PayApiException(ErrorCodes.ProviderUnavailable, "This provider is not offered by this deployment right now.");

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
        return new ConnectionView(ConnectionId, s.Provider, s.EndUserId, s.Status, s.CreatedAt, s.LastRefreshedAt, s.NextRefreshAt, s.Error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} connected to {Provider} (repair: {Repair})")]
    private static partial void LogConnected(ILogger logger, string connectionId, string provider, bool repair);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: {Provider} refused the credentials with {ErrorCode}")]
    private static partial void LogConnectRefused(ILogger logger, string connectionId, string provider, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId}: refresh failed with {ErrorCode}")]
    private static partial void LogRefreshFailed(ILogger logger, string connectionId, string errorCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId}: cached data passed its maximum age and was wiped")]
    private static partial void LogCacheExpired(ILogger logger, string connectionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connection {ConnectionId}: stored {Field} failed its integrity check and was not used")]
    private static partial void LogTamperedValue(ILogger logger, string connectionId, string field);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} disconnected and crypto-shredded")]
    private static partial void LogDisconnected(ILogger logger, string connectionId);
}
