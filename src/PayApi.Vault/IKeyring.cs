namespace PayApi.Vault;

/// <summary>
/// The master keyring that wraps per-connection data keys. Local today; AWS KMS implements the same
/// contract later, with <see cref="EncryptionContext"/> passed as the KMS encryption context.
/// </summary>
public interface IKeyring
{
    string Name { get; }

    /// <summary>Creates a random 32-byte data key and wraps it under the primary master version.</summary>
    Task<GeneratedDataKey> GenerateDataKeyAsync(EncryptionContext ctx, CancellationToken ct);

    /// <exception cref="CiphertextRejectedException">Wrong owner, unknown version, or a modified value.</exception>
    Task<byte[]> UnwrapAsync(string wrappedKey, EncryptionContext ctx, CancellationToken ct);

    /// <summary>Re-wraps a data key under the primary master version without handing its plaintext out.</summary>
    Task<string> RewrapAsync(string wrappedKey, EncryptionContext ctx, CancellationToken ct);

    /// <summary>The master version a wrapped key names (not authenticated; use it for bookkeeping only).</summary>
    string KeyIdOf(string wrappedKey);

    Task<IReadOnlyList<KeyVersion>> ListVersionsAsync(CancellationToken ct);

    /// <summary>Adds a master version and makes it primary; older versions keep unwrapping.</summary>
    Task<KeyVersion> RotateAsync(CancellationToken ct);
}
