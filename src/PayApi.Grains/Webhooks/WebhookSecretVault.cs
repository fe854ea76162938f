using PayApi.Contracts;
using PayApi.Vault;

namespace PayApi.Grains.Webhooks;

/// <summary>
/// Seals a client's webhook signing secrets with the envelope encryption that protects connection credentials: a data
/// key of its own (record <c>whk_{client id}</c> in the data key store, wrapped by the master key and re-wrapped with
/// the others), each secret sealed under it and bound to the client. The secret cannot be hashed: it must sign.
/// </summary>
public sealed class WebhookSecretVault(IKeyring keyring, IDataKeyStore dataKeys)
{
    private const string Field = "webhook_signing_secret";

    public static string KeyRecordId(string clientId) => "whk_" + clientId;

    public static string NewSecret() => "whsec_" + Ids.Random(40);

    /// <summary>The client's webhook data key, made when it has none (or when <paramref name="renew"/>).</summary>
    public async Task<DataKey> OpenOrCreateAsync(string clientId, bool renew, CancellationToken ct)
    {
        var context = new EncryptionContext(clientId, KeyRecordId(clientId));
        if (!renew && await dataKeys.GetAsync(KeyRecordId(clientId), ct) is { } wrapped)
        {
            return new DataKey(context, await keyring.UnwrapAsync(wrapped, context, ct));
        }

        var generated = await keyring.GenerateDataKeyAsync(context, ct);
        await dataKeys.PutAsync(new WrappedKeyRecord(KeyRecordId(clientId), clientId, generated.KeyId, generated.Wrapped), ct);
        return new DataKey(context, generated.Plaintext);
    }

    /// <summary>The client's webhook data key; <c>dependency_unavailable</c>-free: null when it is gone.</summary>
    public async Task<DataKey?> OpenAsync(string clientId, CancellationToken ct)
    {
        var context = new EncryptionContext(clientId, KeyRecordId(clientId));
        return await dataKeys.GetAsync(KeyRecordId(clientId), ct) is { } wrapped
            ? new DataKey(context, await keyring.UnwrapAsync(wrapped, context, ct))
            : null;
    }

    public Task DeleteKeyAsync(string clientId, CancellationToken ct) => dataKeys.DeleteAsync(KeyRecordId(clientId), ct);

    public static string Seal(DataKey key, string secret) => key.Seal(Field, secret);

    public static string Open(DataKey key, string sealedSecret) => key.OpenString(Field, sealedSecret);
}
