using Microsoft.Extensions.Options;
using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>Persistent state of one developer client.</summary>
[GenerateSerializer]
[Alias("PayApi.ClientState")]
public sealed class ClientState
{
    [Id(0)] public string? Name { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public byte[]? SecretHash { get; set; }
    [Id(3)] public Dictionary<string, OwnedConnection> Connections { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Only in states written before idempotency records moved to <see cref="IdempotencyGrain"/>: read once at
    /// activation, moved there and emptied.
    /// </summary>
    [Id(4)] public Dictionary<string, IdempotentSession> Idempotency { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The app's name as end-users see it on the Connect page; <see cref="Name"/> when unset.</summary>
    [Id(5)] public string? DisplayName { get; set; }

    /// <summary>Disconnected connections still listed as tombstones until their retention ends; not counted as active.</summary>
    [Id(6)] public Dictionary<string, OwnedConnection> Disconnected { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many connections were live in each month, for usage (<see cref="Usage.MonthlyConnectionCounts"/>).</summary>
    [Id(7)] public Usage.MonthlyConnectionCounts ConnectionMonths { get; set; } = new();

    /// <summary>Whether the client is in the <see cref="IClientDirectoryGrain"/> (clients created before it are added once).</summary>
    [Id(8)] public bool Listed { get; set; }
}

/// <summary>A session created under an idempotency key, as states before <see cref="IdempotencyGrain"/> kept it.</summary>
[GenerateSerializer]
[Alias("PayApi.IdempotentSession")]
public sealed record IdempotentSession(
    [property: Id(0)] string BodyHash,
    [property: Id(1)] SessionCreated Session,
    [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>The tenant root: authenticates the client and owns the list of its connections.</summary>
public sealed class ClientGrain(
    [PersistentState("client", StorageNames.Default)] IPersistentState<ClientState> state,
    IOptions<GrainOptions> options,
    TimeProvider time) : Grain, IClientGrain
{
    private readonly GrainOptions _options = options.Value;

    private string ClientId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && !state.State.Listed)
        {
            await ListAsync(cancellationToken);
        }

        // Keys kept in this state by earlier versions move to their own records once, so the state stops growing.
        if (!state.RecordExists || state.State.Idempotency.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var (key, entry) in state.State.Idempotency.Where(e => now - e.Value.CreatedAt <= _options.IdempotencyWindow))
        {
            await IdempotencyRecord(key).RememberAsync(ClientId, key, entry.BodyHash, entry.Session, entry.CreatedAt);
        }

        state.State.Idempotency.Clear();
        await state.WriteStateAsync(cancellationToken);
    }

    public async Task<CreatedClient> CreateAsync(string name)
    {
        if (state.RecordExists)
        {
            throw new PayApiException(ErrorCodes.Conflict, "The client already exists.");
        }

        var secret = NewSecret();
        state.State = new ClientState { Name = name, CreatedAt = time.GetUtcNow(), SecretHash = SecretHash.Of(secret) };
        await state.WriteStateAsync();
        await ListAsync(CancellationToken.None);
        return new CreatedClient(ClientId, secret, name, state.State.CreatedAt);
    }

    public Task<ClientInfo?> GetAsync() =>
        Task.FromResult(state.RecordExists
            ? Info()
            : null);

    public async Task<ClientInfo> UpdateAsync(ClientUpdate update)
    {
        EnsureExists();
        state.State.Name = update.Name ?? state.State.Name;
        state.State.DisplayName = update.ClearDisplayName ? null : update.DisplayName ?? state.State.DisplayName;
        await state.WriteStateAsync();
        return Info();
    }

    public Task<bool> VerifySecretAsync(string secret) =>
        Task.FromResult(state.RecordExists && SecretHash.Matches(state.State.SecretHash, secret));

    public async Task<string> RotateSecretAsync()
    {
        EnsureExists();
        var secret = NewSecret();
        state.State.SecretHash = SecretHash.Of(secret);
        await state.WriteStateAsync();
        return secret;
    }

    public async Task<SessionCreated> OpenSessionAsync(SessionRequest request, string? idempotencyKey, string bodyHash)
    {
        EnsureExists();
        var now = time.GetUtcNow();
        // Calls to one client are serial, so nothing can slip in between the look-up and the remembering below.
        if (idempotencyKey is not null && await IdempotencyRecord(idempotencyKey).FindAsync(ClientId, idempotencyKey, bodyHash) is { } earlier)
        {
            return earlier;
        }

        string connectionId;
        if (request.ConnectionId is not null)
        {
            if (!state.State.Connections.TryGetValue(request.ConnectionId, out var owned))
            {
                throw PayApiException.NotFound("connection");
            }

            if (owned.EndUserId != request.EndUserId)
            {
                throw PayApiException.Invalid("end_user_id does not match the connection being repaired.");
            }

            connectionId = request.ConnectionId;
        }
        else
        {
            connectionId = Ids.NewConnectionId();
        }

        var sessionId = Ids.NewSessionId();
        var expiresAt = now + _options.SessionLifetime;
        await GrainFactory.GetGrain<IConnectSessionGrain>(Ids.SessionKey(sessionId)).InitializeAsync(ClientId, request, connectionId, expiresAt);
        var created = new SessionCreated(sessionId, expiresAt);
        if (idempotencyKey is not null)
        {
            await IdempotencyRecord(idempotencyKey).RememberAsync(ClientId, idempotencyKey, bodyHash, created, now);
        }

        return created;
    }

    public Task<IReadOnlyList<OwnedConnection>> ListConnectionsAsync(string? endUserId)
    {
        EnsureExists();
        IReadOnlyList<OwnedConnection> list = state.State.Connections.Values.Concat(state.State.Disconnected.Values)
            .Where(c => endUserId is null || c.EndUserId == endUserId)
            .OrderBy(c => c.ConnectionId, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(list);
    }

    public async Task ConnectionAddedAsync(OwnedConnection connection)
    {
        EnsureExists();
        var liveBefore = state.State.Connections.Count;
        if (state.State.Connections.TryAdd(connection.ConnectionId, connection))
        {
            state.State.ConnectionMonths.Added(time.GetUtcNow(), liveBefore);
            await state.WriteStateAsync();
        }
    }

    public async Task ConnectionRemovedAsync(string connectionId)
    {
        var liveBefore = state.State.Connections.Count;
        var wasLive = state.RecordExists && state.State.Connections.Remove(connectionId);
        if (state.RecordExists && (wasLive | state.State.Disconnected.Remove(connectionId)))
        {
            if (wasLive)
            {
                state.State.ConnectionMonths.Removed(time.GetUtcNow(), liveBefore);
            }

            await state.WriteStateAsync();
        }
    }

    public Task<int> GetActiveConnectionsAsync(UsageMonth month)
    {
        EnsureExists();
        var active = month < UsageMonth.Of(state.State.CreatedAt)
            ? 0
            : state.State.ConnectionMonths.ActiveIn(month, UsageMonth.Of(time.GetUtcNow()), state.State.Connections.Count);
        return Task.FromResult(active);
    }

    // Listing first, flag after: a crash between the two lists the client again, which the directory ignores.
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        await GrainFactory.GetGrain<IClientDirectoryGrain>(0).RegisterAsync(new ListedClient(ClientId, state.State.CreatedAt));
        state.State.Listed = true;
        await state.WriteStateAsync(cancellationToken);
    }

    public async Task ConnectionDisconnectedAsync(string connectionId)
    {
        var liveBefore = state.State.Connections.Count;
        if (state.RecordExists && state.State.Connections.Remove(connectionId, out var owned))
        {
            state.State.ConnectionMonths.Removed(time.GetUtcNow(), liveBefore);
            state.State.Disconnected[connectionId] = owned;
            await state.WriteStateAsync();
        }
    }

    private IIdempotencyGrain IdempotencyRecord(string idempotencyKey) =>
        GrainFactory.GetGrain<IIdempotencyGrain>(IdempotencyGrain.KeyFor(ClientId, idempotencyKey));

    private void EnsureExists()
    {
        if (!state.RecordExists)
        {
            throw PayApiException.NotFound("client");
        }
    }

    private ClientInfo Info() =>
        new(ClientId, state.State.Name!, state.State.CreatedAt, state.State.Connections.Count, state.State.DisplayName);

    private static string NewSecret() => "sec_" + Ids.Random(43);
}
