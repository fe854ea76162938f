using System.Security.Cryptography;
using System.Text;

namespace PayApi.Vault;

/// <summary>
/// A connection's plaintext data key, held only while its grain is active. Every field ciphertext is
/// bound to <see cref="Context"/> and the field name; the key bytes are zeroed on <see cref="Dispose"/>.
/// </summary>
public sealed class DataKey : IDisposable
{
    /// <summary>The key id written into field ciphertexts; the wrapped key itself names the master version.</summary>
    public const string FieldKeyId = "dk";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _key;
    private readonly SubkeyPair _subkeys;
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="key"/> (32 bytes): the array is zeroed on dispose.</summary>
    public DataKey(EncryptionContext context, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException("A data key must be 32 bytes.", nameof(key));
        }

        // Validates the context once, so a bad owner fails at activation rather than at the first field.
        _ = AssociatedData.Encode(context, "probe");
        Context = context;
        _key = key;
        _subkeys = SubkeyPair.Derive(key);
    }

    public EncryptionContext Context { get; }

    public string Seal(string field, ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return CiphertextFormat.Seal(_subkeys, FieldKeyId, AssociatedData.Encode(Context, field), plaintext);
    }

    public string Seal(string field, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var bytes = Encoding.UTF8.GetBytes(plaintext);
        try
        {
            return Seal(field, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <exception cref="CiphertextRejectedException">The value was modified, moved, or sealed under another key.</exception>
    public byte[] Open(string field, string sealedValue)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return CiphertextFormat.Open(_subkeys, FieldKeyId, AssociatedData.Encode(Context, field), sealedValue);
    }

    /// <exception cref="CiphertextRejectedException">The value was modified, moved, or sealed under another key.</exception>
    public string OpenString(string field, string sealedValue)
    {
        var bytes = Open(field, sealedValue);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new CiphertextRejectedException("not UTF-8 text");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        _subkeys.Dispose();
    }
}
