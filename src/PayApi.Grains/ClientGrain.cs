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
    [Id(4)] public Dictionary<string, IdempotentSession> Idempotency { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A session created under an idempotency key, remembered for the idempotency window.</summary>
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

    public async Task<CreatedClient> CreateAsync(string name)
    {
        if (state.RecordExists)
        {
            throw new PayApiException(ErrorCodes.Conflict, "The client already exists.");
        }

        var secret = NewSecret();
        state.State = new ClientState { Name = name, CreatedAt = time.GetUtcNow(), SecretHash = SecretHash.Of(secret) };
        await state.WriteStateAsync();
        return new CreatedClient(ClientId, secret, name, state.State.CreatedAt);
    }

    public Task<ClientInfo?> GetAsync() =>
        Task.FromResult(state.RecordExists
            ? new ClientInfo(ClientId, state.State.Name!, state.State.CreatedAt, state.State.Connections.Count)
            : null);

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
        PruneIdempotency(now);
        if (idempotencyKey is not null && state.State.Idempotency.TryGetValue(idempotencyKey, out var earlier))
        {
            return earlier.BodyHash == bodyHash
                ? earlier.Session
                : throw new PayApiException(ErrorCodes.Conflict, "This Idempotency-Key was already used with a different request body.");
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
        await GrainFactory.GetGrain<IConnectSessionGrain>(sessionId).InitializeAsync(ClientId, request, connectionId, expiresAt);
        var created = new SessionCreated(sessionId, expiresAt);
        if (idempotencyKey is not null)
        {
            state.State.Idempotency[idempotencyKey] = new IdempotentSession(bodyHash, created, now);
            await state.WriteStateAsync();
        }

        return created;
    }

    public Task<IReadOnlyList<OwnedConnection>> ListConnectionsAsync(string? endUserId)
    {
        EnsureExists();
        IReadOnlyList<OwnedConnection> list = state.State.Connections.Values
            .Where(c => endUserId is null || c.EndUserId == endUserId)
            .OrderBy(c => c.ConnectionId, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(list);
    }

    public async Task ConnectionAddedAsync(OwnedConnection connection)
    {
        EnsureExists();
        if (state.State.Connections.TryAdd(connection.ConnectionId, connection))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task ConnectionRemovedAsync(string connectionId)
    {
        if (state.RecordExists && state.State.Connections.Remove(connectionId))
        {
            await state.WriteStateAsync();
        }
    }

    private void PruneIdempotency(DateTimeOffset now)
    {
        foreach (var (key, entry) in state.State.Idempotency.ToList())
        {
            if (now - entry.CreatedAt > _options.IdempotencyWindow)
            {
                state.State.Idempotency.Remove(key);
            }
        }
    }

    private void EnsureExists()
    {
        if (!state.RecordExists)
        {
            throw PayApiException.NotFound("client");
        }
    }

    private static string NewSecret() => "sec_" + Ids.Random(43);
}
