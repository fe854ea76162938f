using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>Persistent state of one idempotency record.</summary>
[GenerateSerializer]
[Alias("PayApi.IdempotencyState")]
public sealed class IdempotencyState
{
    /// <summary>SHA-256 of the request body that first used the key.</summary>
    [Id(0)] public string BodyHash { get; set; } = "";

    /// <summary>The session id, AES-256-GCM under a key derived from client id and Idempotency-Key (nonce, tag, ciphertext).</summary>
    [Id(1)] public byte[] SealedSessionId { get; set; } = [];

    [Id(2)] public DateTimeOffset SessionExpiresAt { get; set; }

    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One client's Idempotency-Key: the request hash and the session it created, for the idempotency window. Neither the
/// key nor the session id is stored in clear: the grain is keyed by a digest of both ids, and the session id (a bearer
/// capability) is sealed under a key only a caller presenting the same client id and Idempotency-Key can derive.
/// </summary>
public sealed class IdempotencyGrain(
    [PersistentState("idempotency", StorageNames.Default)] IPersistentState<IdempotencyState> state,
    IOptions<GrainOptions> options,
    TimeProvider time) : Grain, IIdempotencyGrain, IRemindable
{
    private const string ExpiryReminder = "expire";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly GrainOptions _options = options.Value;

    /// <summary>The grain key of a client's Idempotency-Key.</summary>
    public static string KeyFor(string clientId, string idempotencyKey) =>
        "idem_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{clientId}\n{idempotencyKey}")));

    public async Task<SessionCreated?> FindAsync(string clientId, string idempotencyKey, string bodyHash)
    {
        EnsureNamedBy(clientId, idempotencyKey);
        if (!state.RecordExists)
        {
            return null;
        }

        if (Expired())
        {
            await ForgetAsync();
            return null;
        }

        var s = state.State;
        return s.BodyHash == bodyHash
            ? new SessionCreated(Open(clientId, idempotencyKey, s.SealedSessionId), s.SessionExpiresAt)
            : throw new PayApiException(ErrorCodes.Conflict, "This Idempotency-Key was already used with a different request body.");
    }

    public async Task RememberAsync(string clientId, string idempotencyKey, string bodyHash, SessionCreated session, DateTimeOffset createdAt)
    {
        EnsureNamedBy(clientId, idempotencyKey);
        state.State = new IdempotencyState
        {
            BodyHash = bodyHash,
            SealedSessionId = Seal(clientId, idempotencyKey, session.SessionId),
            SessionExpiresAt = session.ExpiresAt,
            CreatedAt = createdAt,
        };
        await state.WriteStateAsync();
        var due = createdAt + _options.IdempotencyWindow - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(ExpiryReminder, due > TimeSpan.FromMinutes(1) ? due : TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminder && (!state.RecordExists || Expired()))
        {
            await ForgetAsync();
        }
    }

    private bool Expired() => time.GetUtcNow() - state.State.CreatedAt > _options.IdempotencyWindow;

    private async Task ForgetAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        DeactivateOnIdle();
    }

    private void EnsureNamedBy(string clientId, string idempotencyKey)
    {
        if (!string.Equals(KeyFor(clientId, idempotencyKey), this.GetPrimaryKeyString(), StringComparison.Ordinal))
        {
            throw PayApiException.Invalid("The idempotency record is not this client's key.");
        }
    }

    private byte[] Seal(string clientId, string idempotencyKey, string sessionId)
    {
        var plain = Encoding.UTF8.GetBytes(sessionId);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(SealKey(clientId, idempotencyKey), TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Aad());
        return sealedBytes;
    }

    private string Open(string clientId, string idempotencyKey, byte[] sealedBytes)
    {
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(SealKey(clientId, idempotencyKey), TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, Aad());
        return Encoding.UTF8.GetString(plain);
    }

    // Bound to this record: a sealed id copied into another record does not open.
    private byte[] Aad() => Encoding.UTF8.GetBytes(this.GetPrimaryKeyString());

    private static byte[] SealKey(string clientId, string idempotencyKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes($"{clientId}\n{idempotencyKey}"), 32, info: "payapi idempotency session id"u8.ToArray());
}
