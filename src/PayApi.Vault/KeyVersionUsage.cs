namespace PayApi.Vault;

/// <summary>A master version and how many wrapped data keys it still protects (<c>GET /admin/v1/keys</c>).</summary>
/// <remarks>
/// A key id the store names but the keyring does not list (an earlier KMS key) has no known creation date; its
/// <paramref name="CreatedAt"/> is <see cref="UnknownCreatedAt"/>, the Unix epoch, as for a configured local key.
/// </remarks>
public sealed record KeyVersionUsage(string KeyId, DateTimeOffset CreatedAt, bool Primary, long WrappedDataKeys)
{
    /// <summary>The <see cref="CreatedAt"/> of a key whose creation date the keyring cannot tell: the Unix epoch.</summary>
    public static readonly DateTimeOffset UnknownCreatedAt = DateTimeOffset.UnixEpoch;
}
