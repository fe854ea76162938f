using System.Security.Cryptography;

namespace PayApi.Vault;

/// <summary>
/// The single failure for every way a stored ciphertext can be wrong (format, key id, MAC, GCM tag).
/// One type and a fixed reason keep callers from branching on, or leaking, why a forgery failed;
/// the message never carries key material or plaintext.
/// </summary>
public sealed class CiphertextRejectedException : CryptographicException
{
    public CiphertextRejectedException()
        : this("malformed")
    {
    }

    public CiphertextRejectedException(string reason)
        : base($"The ciphertext was rejected ({reason}).")
    {
    }

    public CiphertextRejectedException(string reason, Exception innerException)
        : base($"The ciphertext was rejected ({reason}).", innerException)
    {
    }
}
