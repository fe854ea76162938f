namespace PayApi.Vault;

/// <summary>A master version and how many wrapped data keys it still protects (<c>GET /admin/v1/keys</c>).</summary>
public sealed record KeyVersionUsage(string KeyId, DateTimeOffset CreatedAt, bool Primary, long WrappedDataKeys);
