using System.Security.Cryptography;
using System.Text;

namespace PayApi.Vault;

/// <summary>
/// The encryption and MAC subkeys derived from one parent key. The parent key is never used directly,
/// so a weakness in how one primitive uses its key cannot spill into the other.
/// </summary>
internal sealed class SubkeyPair : IDisposable
{
    private static readonly byte[] EncryptionInfo = Encoding.ASCII.GetBytes("payapi.vault.v1/aes-256-gcm");
    private static readonly byte[] MacInfo = Encoding.ASCII.GetBytes("payapi.vault.v1/hmac-sha256");

    private SubkeyPair(byte[] encryptionKey, byte[] macKey)
    {
        EncryptionKey = encryptionKey;
        MacKey = macKey;
    }

    public byte[] EncryptionKey { get; }

    public byte[] MacKey { get; }

    public static SubkeyPair Derive(ReadOnlySpan<byte> parentKey)
    {
        if (parentKey.Length != 32)
        {
            throw new ArgumentException("A parent key must be 32 bytes.", nameof(parentKey));
        }

        // The parent keys are uniformly random, so HKDF's optional salt adds nothing here.
        return new SubkeyPair(
            Hkdf.DeriveSubkey(parentKey, [], EncryptionInfo, 32),
            Hkdf.DeriveSubkey(parentKey, [], MacInfo, 32));
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(EncryptionKey);
        CryptographicOperations.ZeroMemory(MacKey);
    }
}
