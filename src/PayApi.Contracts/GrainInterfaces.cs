using Orleans.Concurrency;

namespace PayApi.Contracts;

/// <summary>One developer client: its hashed secret and its connections.</summary>
[Alias("PayApi.IClientGrain")]
public interface IClientGrain : IGrainWithStringKey
{
    [Alias("Create")]
    Task<CreatedClient> CreateAsync(string name);

    [Alias("Get")]
    [Idempotent]
    Task<ClientInfo?> GetAsync();

    /// <summary>Constant-time check of a presented secret against the stored hash.</summary>
    [Alias("VerifySecret")]
    [Idempotent]
    [ReadOnly]
    Task<bool> VerifySecretAsync(string secret);

    [Alias("RotateSecret")]
    Task<string> RotateSecretAsync();

    /// <summary>Changes the name and/or the display name end-users see on the Connect page; <c>not_found</c> if none.</summary>
    [Alias("Update")]
    Task<ClientInfo> UpdateAsync(ClientUpdate update);

    /// <summary>Opens a connect session; the same idempotency key and body within 24 h returns the same session.</summary>
    [Alias("OpenSession")]
    Task<SessionCreated> OpenSessionAsync(SessionRequest request, string? idempotencyKey, string bodyHash);

    [Alias("ListConnections")]
    [Idempotent]
    [ReadOnly]
    Task<IReadOnlyList<OwnedConnection>> ListConnectionsAsync(string? endUserId);

    [Alias("ConnectionAdded")]
    Task ConnectionAddedAsync(OwnedConnection connection);

    [Alias("ConnectionRemoved")]
    Task ConnectionRemovedAsync(string connectionId);

    /// <summary>How many of the client's connections were live on any day of <paramref name="month"/> (usage's billing unit).</summary>
    [Alias("GetActiveConnections")]
    [Idempotent]
    [ReadOnly]
    Task<int> GetActiveConnectionsAsync(UsageMonth month);

    /// <summary>The connection was disconnected: it no longer counts as active but stays listed (a tombstone) until removed.</summary>
    [Alias("ConnectionDisconnected")]
    Task ConnectionDisconnectedAsync(string connectionId);
}

/// <summary>
/// One connect session: a 30-minute capability for one end-user to connect one account. Keyed by
/// <see cref="Ids.SessionKey"/>, never by the id itself; reach it through <see cref="ConnectSession"/>.
/// </summary>
[Alias("PayApi.IConnectSessionGrain")]
public interface IConnectSessionGrain : IGrainWithStringKey
{
    [Alias("Initialize")]
    Task InitializeAsync(string clientId, SessionRequest request, string connectionId, DateTimeOffset expiresAt);

    /// <summary>The developer's view; <c>not_found</c> for another client's session.</summary>
    [Alias("Get")]
    [Idempotent]
    [AlwaysInterleave]
    Task<SessionView> GetAsync(string clientId, string sessionId);

    [Alias("GetForEndUser")]
    [Idempotent]
    [AlwaysInterleave]
    Task<ConnectPageView> GetForEndUserAsync(string sessionId);

    [Alias("SubmitCredentials")]
    Task<string> SubmitCredentialsAsync(SubmittedCredentials credentials);

    [Alias("SubmitMfa")]
    Task<string> SubmitMfaAsync(string code);

    /// <summary>Redeems the single-use code for the connection it produced.</summary>
    [Alias("Exchange")]
    Task<ExchangeResult> ExchangeAsync(string clientId, string code);

    /// <summary>Deletes the session's record (its connection was disconnected, or it outlived its use).</summary>
    [Alias("Forget")]
    Task ForgetAsync();
}

/// <summary>
/// One Idempotency-Key of one client, kept apart from the client grain so a session costs the same however many keys
/// the client used; keyed by a digest of client id and key, deleted when the idempotency window ends.
/// </summary>
[Alias("PayApi.IIdempotencyGrain")]
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>The session created under this key within the window, or null; <c>conflict</c> for another body.</summary>
    [Alias("Find")]
    Task<SessionCreated?> FindAsync(string clientId, string idempotencyKey, string bodyHash);

    /// <summary>Remembers the session created under this key from <paramref name="createdAt"/> for the window.</summary>
    [Alias("Remember")]
    Task RememberAsync(string clientId, string idempotencyKey, string bodyHash, SessionCreated session, DateTimeOffset createdAt);
}

/// <summary>One end-user connection: owns its data key, encrypted credentials and encrypted cache.</summary>
[Alias("PayApi.IConnectionGrain")]
public interface IConnectionGrain : IGrainWithStringKey
{
    /// <summary>Verifies the credentials with the provider and stores them; repairs in place when the connection exists.</summary>
    [Alias("Connect")]
    Task<ConnectOutcome> ConnectAsync(ConnectRequest request);

    /// <summary>Relays a one-time code to a login that stopped at the provider's MFA step.</summary>
    [Alias("SubmitMfa")]
    Task<ConnectOutcome> SubmitMfaAsync(string clientId, string code);

    [Alias("Get")]
    [Idempotent]
    Task<ConnectionView> GetAsync(string clientId);

    /// <summary>Checks a token's client and generation; <c>unauthorized</c> when they no longer match.</summary>
    [Alias("GetByToken")]
    [Idempotent]
    Task<ConnectionView> GetByTokenAsync(TokenGrant grant);

    [Alias("GetBalance")]
    [Idempotent]
    Task<BalanceView> GetBalanceAsync(TokenGrant grant);

    [Alias("GetTransactions")]
    [Idempotent]
    Task<PageView<TransactionItem>> GetTransactionsAsync(TokenGrant grant, ListQuery query);

    [Alias("GetPayouts")]
    [Idempotent]
    Task<PageView<PayoutItem>> GetPayoutsAsync(TokenGrant grant, ListQuery query);

    /// <summary>Fetches fresh data from the provider now and returns when it is done.</summary>
    [Alias("Refresh")]
    Task RefreshAsync(TokenGrant grant);

    /// <summary>
    /// <c>POST /v1/connection/refresh</c>: checks that a refresh may run (token, pending user action, provider resting,
    /// pacing) and starts it, or joins the one in flight, then returns at once; the refresh's outcome shows on the
    /// connection (<c>status</c>, <c>error</c>, <c>last_refreshed_at</c>).
    /// </summary>
    [Alias("RequestRefresh")]
    Task RequestRefreshAsync(TokenGrant grant);

    [Alias("DisconnectByToken")]
    Task<DisconnectReceipt> DisconnectByTokenAsync(TokenGrant grant);

    [Alias("Disconnect")]
    Task<DisconnectReceipt> DisconnectAsync(string clientId);
}

/// <summary>Operator key management: master key versions and re-wrapping of data keys.</summary>
[Alias("PayApi.IKeyAdminGrain")]
public interface IKeyAdminGrain : IGrainWithIntegerKey
{
    [Alias("Rotate")]
    Task<KeyVersionView> RotateAsync();

    [Alias("List")]
    [Idempotent]
    Task<IReadOnlyList<KeyVersionView>> ListAsync();

    [Alias("Rewrap")]
    Task<RewrapReport> RewrapAsync();
}

/// <summary>A master key version and how many wrapped data keys it still protects.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.KeyVersionView")]
public sealed record KeyVersionView(
    [property: Id(0)] string KeyId,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] bool Primary,
    [property: Id(3)] long WrappedDataKeys);

/// <summary>What a rewrap pass did.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.RewrapReport")]
public sealed record RewrapReport(
    [property: Id(0)] string PrimaryKeyId,
    [property: Id(1)] long Rewrapped,
    [property: Id(2)] long AlreadyCurrent);

/// <summary>The cluster-wide ES256 signing key of access tokens, generated once and stored sealed.</summary>
[Alias("PayApi.ITokenKeyGrain")]
public interface ITokenKeyGrain : IGrainWithIntegerKey
{
    /// <summary>The key id and the PKCS#8 private key; only for the gateway, never for a client.</summary>
    [Alias("GetSigningKey")]
    [Idempotent]
    Task<SigningKeyMaterial> GetSigningKeyAsync();

    /// <summary>The master key version that wraps the signing key's data key, or null before the first token.</summary>
    [Alias("WrappingKeyId")]
    [Idempotent]
    Task<string?> GetWrappingKeyIdAsync();

    /// <summary>Re-wraps the signing key's data key under the primary master key; true when it moved.</summary>
    [Alias("Rewrap")]
    Task<bool> RewrapAsync();
}

/// <summary>A token signing key as the gateway needs it.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.SigningKeyMaterial")]
public sealed record SigningKeyMaterial(
    [property: Id(0)] string KeyId,
    [property: Id(1)] byte[] Pkcs8PrivateKey,
    [property: Id(2)] DateTimeOffset LowSSince = default)
{
    public override string ToString() => $"SigningKeyMaterial {{ KeyId = {KeyId} }}";
}

/// <summary>Answers when the silo is up and can reach grain storage.</summary>
[Alias("PayApi.IReadinessGrain")]
public interface IReadinessGrain : IGrainWithIntegerKey
{
    [Alias("Check")]
    [Idempotent]
    Task<bool> CheckAsync();
}

/// <summary>
/// The scraper pool: a stateless worker on every silo that runs browser jobs in that silo's browser pool.
/// </summary>
[Alias("PayApi.IScraperGrain")]
public interface IScraperGrain : IGrainWithIntegerKey
{
    [Alias("Run")]
    Task<WebJobResult> RunAsync(WebJobRequest request);
}

/// <summary>Operator access to failure bundles (redacted, encrypted page captures kept 5 days).</summary>
[Alias("PayApi.IFailureBundleGrain")]
public interface IFailureBundleGrain : IGrainWithIntegerKey
{
    /// <summary>Bundles of one connection, or of all when <paramref name="connectionId"/> is null; never decrypts.</summary>
    [Alias("List")]
    [Idempotent]
    Task<IReadOnlyList<FailureBundleSummary>> ListAsync(string? connectionId);

    /// <summary>Decrypts one bundle; every call is logged with the operator request id.</summary>
    [Alias("Open")]
    Task<FailureBundleContent> OpenAsync(string connectionId, string bundleId, string requestId);
}

/// <summary>What is known of a bundle without decrypting it.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.FailureBundleSummary")]
public sealed record FailureBundleSummary(
    [property: Id(0)] string BundleId,
    [property: Id(1)] string ConnectionId,
    [property: Id(2)] string ClientId,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string Reason,
    [property: Id(5)] long Size);

/// <summary>A decrypted bundle: the redacted screenshot and HTML.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.FailureBundleContent")]
public sealed record FailureBundleContent(
    [property: Id(0)] FailureBundleSummary Summary,
    [property: Id(1)] string Url,
    [property: Id(2)] byte[] ScreenshotPng,
    [property: Id(3)] string Html);

/// <summary>
/// The providers the silos serve (each silo holds the adapters), for gateways: a gateway-only process has no
/// adapters of its own. A stateless worker, so it answers on whichever silo the call lands.
/// </summary>
[Alias("PayApi.IProviderDirectoryGrain")]
public interface IProviderDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("List")]
    [Idempotent]
    Task<IReadOnlyList<ProviderInfo>> ListAsync();
}

/// <summary>
/// The API calls of one client in one month, keyed <c>{client_id}/{YYYY-MM}</c> (<see cref="UsageKeys"/>). Gateways
/// count calls in memory and flush here in batches, never a call per request.
/// </summary>
[Alias("PayApi.IClientUsageGrain")]
public interface IClientUsageGrain : IGrainWithStringKey
{
    /// <summary>Adds one gateway's counts; a flush already applied (same meter and sequence) is ignored.</summary>
    [Alias("Record")]
    [Idempotent]
    Task RecordAsync(UsageFlush flush);

    [Alias("GetCalls")]
    [Idempotent]
    [ReadOnly]
    Task<CallCounts> GetCallsAsync();
}

/// <summary>Every client ever created, so the operator's usage export can walk them (one grain, key 0).</summary>
[Alias("PayApi.IClientDirectoryGrain")]
public interface IClientDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Register")]
    [Idempotent]
    Task RegisterAsync(ListedClient client);

    [Alias("List")]
    [Idempotent]
    [ReadOnly]
    Task<IReadOnlyList<ListedClient>> ListAsync();
}

/// <summary>
/// One client's webhook: its url and sealed signing secrets, and the delivery of its events (pending retries, a
/// durable reminder while any is pending). Keyed by client id; one per client, so a slow receiver delays only its own.
/// </summary>
[Alias("PayApi.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Sets the url (checked against the SSRF rules) and returns a new signing secret, shown this once.</summary>
    [Alias("Configure")]
    Task<WebhookEndpointView> ConfigureAsync(string url);

    [Alias("Get")]
    Task<WebhookEndpointView> GetAsync();

    [Alias("RotateSecret")]
    Task<WebhookEndpointView> RotateSecretAsync();

    [Alias("Remove")]
    Task RemoveAsync();

    /// <summary>
    /// Takes events from a grain's outbox: stores each (idempotent by event id) and queues its delivery. Returns once
    /// they are stored, never waiting for a delivery: the caller may then drop them from its outbox.
    /// </summary>
    [Alias("Accept")]
    Task AcceptAsync(IReadOnlyList<WebhookEvent> events);

    [Alias("ListEvents")]
    Task<WebhookEventPage> ListEventsAsync(string? cursor, int limit);

    /// <summary>Sends an event again (same id and body); <c>not_found</c> for an id that is not this client's.</summary>
    [Alias("Replay")]
    Task<WebhookEventView> ReplayAsync(string eventId);
}

/// <summary>One stored event and its delivery attempts; keyed by <c>{client id}/{event id}</c>, so ids never cross tenants.</summary>
[Alias("PayApi.IWebhookEventGrain")]
public interface IWebhookEventGrain : IGrainWithStringKey
{
    /// <summary>Stores the event unless it is already stored; true when it was new.</summary>
    [Alias("Store")]
    Task<bool> StoreAsync(WebhookEvent webhookEvent, string status);

    [Alias("Get")]
    Task<WebhookEventView?> GetAsync();

    [Alias("RecordAttempt")]
    Task RecordAttemptAsync(WebhookAttempt attempt, string status);

    [Alias("SetStatus")]
    Task SetStatusAsync(string status);

    [Alias("Delete")]
    Task DeleteAsync();
}

/// <summary>One page of a client's event index (event ids in the order they were accepted); keyed by <c>{client id}/{page}</c>.</summary>
[Alias("PayApi.IWebhookIndexGrain")]
public interface IWebhookIndexGrain : IGrainWithStringKey
{
    /// <summary>Appends the id unless the page already holds it; returns the page's size after.</summary>
    [Alias("Append")]
    Task<int> AppendAsync(string eventId);

    [Alias("List")]
    Task<IReadOnlyList<string>> ListAsync();

    [Alias("Delete")]
    Task DeleteAsync();
}
