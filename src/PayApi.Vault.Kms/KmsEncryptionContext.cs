namespace PayApi.Vault.Kms;

/// <summary>
/// The KMS encryption context of a wrapped data key: the same binding (client, connection, purpose) as the local
/// keyring's AAD. KMS authenticates it with the ciphertext, so a wrapped key copied to another connection is refused.
/// It is not secret: KMS writes it to CloudTrail, which is why it holds ids and never data.
/// </summary>
internal static class KmsEncryptionContext
{
    public const string ClientIdKey = "payapi:client_id";
    public const string ConnectionIdKey = "payapi:connection_id";
    public const string PurposeKey = "payapi:purpose";
    public const string DataKeyPurpose = "data_key";

    public static Dictionary<string, string> For(EncryptionContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentException.ThrowIfNullOrEmpty(ctx.ClientId, nameof(ctx));
        ArgumentException.ThrowIfNullOrEmpty(ctx.ConnectionId, nameof(ctx));
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ClientIdKey] = ctx.ClientId,
            [ConnectionIdKey] = ctx.ConnectionId,
            [PurposeKey] = DataKeyPurpose,
        };
    }
}
