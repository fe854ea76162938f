using System.Buffers.Text;
using System.Security.Cryptography;

namespace PayApi.Vault.Tests;

public sealed class DataKeyTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:";

    private static readonly EncryptionContext Owner = new("client_1", "conn_1");

    private static DataKey NewKey(byte[]? key = null, EncryptionContext? context = null) =>
        new(context ?? Owner, key ?? RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void Round_trips_bytes_text_and_empty_values()
    {
        using var key = NewKey();
        var bytes = RandomNumberGenerator.GetBytes(100);

        Assert.Equal(bytes, key.Open("cookies", key.Seal("cookies", bytes)));
        Assert.Equal("hunter2 ✓", key.OpenString("password", key.Seal("password", "hunter2 ✓")));
        Assert.Empty(key.Open("empty", key.Seal("empty", ReadOnlySpan<byte>.Empty)));
    }

    [Fact]
    public void Has_the_documented_shape_and_a_fresh_iv_each_time()
    {
        using var key = NewKey();
        var first = key.Seal("password", "same");
        var second = key.Seal("password", "same");

        var parts = first.Split(':');
        Assert.Equal(6, parts.Length);
        Assert.Equal("v1", parts[0]);
        Assert.Equal(DataKey.FieldKeyId, parts[1]);
        Assert.Equal(12, Base64Url.DecodeFromChars(parts[2]).Length);
        Assert.Equal(16, Base64Url.DecodeFromChars(parts[3]).Length);
        Assert.Equal(32, Base64Url.DecodeFromChars(parts[5]).Length);
        Assert.DoesNotContain('=', first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Refuses_every_single_character_change()
    {
        using var key = NewKey();
        var sealedValue = key.Seal("password", "correct horse");

        var attempts = 0;
        for (var i = 0; i < sealedValue.Length; i++)
        {
            foreach (var c in Alphabet.Where(c => c != sealedValue[i]))
            {
                var tampered = string.Concat(sealedValue.AsSpan(0, i), c.ToString(), sealedValue.AsSpan(i + 1));
                Assert.Throws<CiphertextRejectedException>(() => key.Open("password", tampered));
                attempts++;
            }
        }

        Assert.Equal(sealedValue.Length * (Alphabet.Length - 1), attempts);
    }

    [Fact]
    public void Refuses_every_flipped_bit_of_every_decoded_piece()
    {
        using var key = NewKey();
        var parts = key.Seal("password", "correct horse").Split(':');

        for (var piece = 2; piece < parts.Length; piece++)
        {
            var bytes = Base64Url.DecodeFromChars(parts[piece]);
            for (var i = 0; i < bytes.Length; i++)
            {
                for (var bit = 0; bit < 8; bit++)
                {
                    var copy = (byte[])bytes.Clone();
                    copy[i] ^= (byte)(1 << bit);
                    var tampered = (string[])parts.Clone();
                    tampered[piece] = Base64Url.EncodeToString(copy);
                    Assert.Throws<CiphertextRejectedException>(() => key.Open("password", string.Join(':', tampered)));
                }
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v2:dk:a:b:c:d")]
    [InlineData("not a ciphertext")]
    public void Refuses_malformed_values(string value)
    {
        using var key = NewKey();
        Assert.Throws<CiphertextRejectedException>(() => key.Open("password", value));
    }

    [Fact]
    public void Refuses_truncation_extension_and_padding()
    {
        using var key = NewKey();
        var sealedValue = key.Seal("password", "correct horse");

        Assert.Throws<CiphertextRejectedException>(() => key.Open("password", sealedValue[..^1]));
        Assert.Throws<CiphertextRejectedException>(() => key.Open("password", sealedValue + "A"));
        Assert.Throws<CiphertextRejectedException>(() => key.Open("password", sealedValue + "="));
        Assert.Throws<CiphertextRejectedException>(() => key.Open("password", sealedValue + ":"));
        Assert.Throws<CiphertextRejectedException>(() => key.Open("password", " " + sealedValue));
    }

    [Fact]
    public void Refuses_a_value_moved_to_another_field_connection_or_client()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        using var key = NewKey((byte[])material.Clone());
        var sealedValue = key.Seal("password", "correct horse");

        // Same key bytes everywhere, so only the AAD binding can be what refuses.
        using var otherConnection = NewKey((byte[])material.Clone(), Owner with { ConnectionId = "conn_2" });
        using var otherClient = NewKey((byte[])material.Clone(), Owner with { ClientId = "client_2" });
        using var shifted = NewKey((byte[])material.Clone(), new EncryptionContext("client_1c", "onn_1"));

        Assert.Throws<CiphertextRejectedException>(() => key.Open("username", sealedValue));
        Assert.Throws<CiphertextRejectedException>(() => otherConnection.Open("password", sealedValue));
        Assert.Throws<CiphertextRejectedException>(() => otherClient.Open("password", sealedValue));
        Assert.Throws<CiphertextRejectedException>(() => shifted.Open("password", sealedValue));
        Assert.Equal("correct horse", key.OpenString("password", sealedValue));
    }

    [Fact]
    public void Refuses_another_data_key()
    {
        using var key = NewKey();
        using var other = NewKey();
        Assert.Throws<CiphertextRejectedException>(() => other.Open("password", key.Seal("password", "x")));
    }

    [Fact]
    public void The_key_id_cannot_be_swapped()
    {
        using var key = NewKey();
        var sealedValue = key.Seal("password", "correct horse");

        foreach (var keyId in new[] { "local-1", "dk2", "d", "DK" })
        {
            var swapped = "v1:" + keyId + sealedValue["v1:dk".Length..];
            Assert.Throws<CiphertextRejectedException>(() => key.Open("password", swapped));
        }
    }

    [Fact]
    public void Rejection_messages_carry_no_plaintext_or_key()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var materialText = Convert.ToBase64String(material);
        using var key = NewKey(material);
        var sealedValue = key.Seal("password", "canary-plaintext");

        var error = Assert.Throws<CiphertextRejectedException>(() => key.Open("username", sealedValue));
        Assert.DoesNotContain("canary", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(materialText, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_zeroes_the_key_and_stops_use()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var key = NewKey(material);
        var sealedValue = key.Seal("password", "x");

        key.Dispose();

        Assert.All(material, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => key.Seal("password", "x"));
        Assert.Throws<ObjectDisposedException>(() => key.Open("password", sealedValue));
        key.Dispose();
    }

    [Fact]
    public void Refuses_a_key_of_the_wrong_size()
    {
        Assert.Throws<ArgumentException>(() => new DataKey(Owner, new byte[16]));
    }
}
