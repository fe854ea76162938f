namespace PayApi.Vault;

/// <summary>The owner a ciphertext is bound to; a ciphertext moved to another client or connection does not open.</summary>
public sealed record EncryptionContext(string ClientId, string ConnectionId);
