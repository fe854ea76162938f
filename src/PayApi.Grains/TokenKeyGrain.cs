using System.Security.Cryptography;
using PayApi.Contracts;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>Persistent state of the token signing key: the private key sealed under its own wrapped data key.</summary>
[GenerateSerializer]
[Alias("PayApi.TokenKeyState")]
public sealed class TokenKeyState
{
    [Id(0)] public string KeyId { get; set; } = "";
    [Id(1)] public string WrappedDataKey { get; set; } = "";
    [Id(2)] public string SealedPrivateKey { get; set; } = "";

    /// <summary>
    /// Since when every token this key signs carries a low-S signature (set when a build that normalises S first loads
    /// the key); tokens issued before it may carry either form and are accepted in both.
    /// </summary>
    [Id(3)] public DateTimeOffset? LowSSince { get; set; }
}

/// <summary>
/// Owns the ES256 key that signs access tokens. Stored in grain storage (so every silo and gateway of a
/// cluster shares it) and encrypted under the master key like any connection secret.
/// </summary>
public sealed class TokenKeyGrain(
    [PersistentState("token-key", StorageNames.Default)] IPersistentState<TokenKeyState> state,
    IKeyring keyring,
    TimeProvider time) : Grain, ITokenKeyGrain
{
    private static readonly EncryptionContext Context = new("payapi", "token-signing-key");
    private const string Field = "es256_private_key";

    private SigningKeyMaterial? _material;

    public Task<string?> GetWrappingKeyIdAsync() =>
        Task.FromResult(state.RecordExists ? keyring.KeyIdOf(state.State.WrappedDataKey) : null);

    public async Task<bool> RewrapAsync()
    {
        if (!state.RecordExists)
        {
            return false;
        }

        var primary = (await keyring.ListVersionsAsync(CancellationToken.None)).First(v => v.Primary).KeyId;
        if (keyring.KeyIdOf(state.State.WrappedDataKey) == primary)
        {
            return false;
        }

        state.State.WrappedDataKey = await keyring.RewrapAsync(state.State.WrappedDataKey, Context, CancellationToken.None);
        await state.WriteStateAsync();
        return true;
    }

    // Each caller gets its own copy: the type is [Immutable], so a call within this silo is not copied by
    // Orleans, and callers zero the bytes once they have imported the key.
    public async Task<SigningKeyMaterial> GetSigningKeyAsync()
    {
        var material = await LoadAsync();
        return new SigningKeyMaterial(material.KeyId, (byte[])material.Pkcs8PrivateKey.Clone(), material.LowSSince);
    }

    private async Task<SigningKeyMaterial> LoadAsync()
    {
        if (_material is not null)
        {
            return _material;
        }

        if (!state.RecordExists)
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var pkcs8 = ecdsa.ExportPkcs8PrivateKey();
            var generated = await keyring.GenerateDataKeyAsync(Context, CancellationToken.None);
            using var dataKey = new DataKey(Context, generated.Plaintext);
            state.State = new TokenKeyState
            {
                KeyId = "es256-" + Ids.Random(12),
                WrappedDataKey = generated.Wrapped,
                SealedPrivateKey = dataKey.Seal(Field, pkcs8),
                LowSSince = time.GetUtcNow(),
            };
            await state.WriteStateAsync();
            _material = new SigningKeyMaterial(state.State.KeyId, pkcs8, state.State.LowSSince.Value);
            return _material;
        }

        if (state.State.LowSSince is null)
        {
            // The first load by a build that issues only low-S signatures: tokens issued until now keep working.
            state.State.LowSSince = time.GetUtcNow();
            await state.WriteStateAsync();
        }

        var plaintext = await keyring.UnwrapAsync(state.State.WrappedDataKey, Context, CancellationToken.None);
        using (var key = new DataKey(Context, plaintext))
        {
            _material = new SigningKeyMaterial(state.State.KeyId, key.Open(Field, state.State.SealedPrivateKey), state.State.LowSSince.Value);
        }

        return _material;
    }
}
