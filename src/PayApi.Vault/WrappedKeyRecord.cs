namespace PayApi.Vault;

/// <summary>A connection's data key as stored: wrapped under the master version <paramref name="KeyId"/>.</summary>
public sealed record WrappedKeyRecord(string ConnectionId, string ClientId, string KeyId, string Wrapped);
