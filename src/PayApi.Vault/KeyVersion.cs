namespace PayApi.Vault;

/// <summary>One master key version; exactly one is primary and wraps new data keys.</summary>
public sealed record KeyVersion(string KeyId, DateTimeOffset CreatedAt, bool Primary);
