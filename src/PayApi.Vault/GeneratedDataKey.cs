namespace PayApi.Vault;

/// <summary>A fresh data key: the plaintext for the active grain, the wrapped form for the key store.</summary>
public sealed class GeneratedDataKey(byte[] plaintext, string wrapped, string keyId)
{
    /// <summary>32 bytes; hand it to <see cref="DataKey"/>, which zeroes it on dispose.</summary>
    public byte[] Plaintext { get; } = plaintext;

    public string Wrapped { get; } = wrapped;

    public string KeyId { get; } = keyId;
}
