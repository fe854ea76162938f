using System.Security.Cryptography;

namespace PayApi.Vault.Kms.Tests;

public sealed class KmsWrappedKeyTests
{
    private const string Arn = "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    [Fact]
    public void Format_is_kms1_then_unpadded_base64url_of_the_arn_and_the_blob()
    {
        var blob = RandomNumberGenerator.GetBytes(185);
        var text = new KmsWrappedKey(Arn, blob).Format();

        var parts = text.Split(':');
        Assert.Equal(["kms1", System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(Arn)), System.Buffers.Text.Base64Url.EncodeToString(blob)], parts);
        var parsed = KmsWrappedKey.Parse(text);
        Assert.Equal(Arn, parsed.KeyArn);
        Assert.Equal(blob, parsed.CiphertextBlob);
    }

    [Fact]
    public void Blob_larger_than_kms_ever_returns_is_refused()
    {
        var text = new KmsWrappedKey(Arn, new byte[6145]).Format();
        Assert.Throws<CiphertextRejectedException>(() => KmsWrappedKey.Parse(text));
    }

    [Fact]
    public void Non_canonical_encoding_is_refused()
    {
        // 2 blob bytes encode to 3 characters; the last one carries 2 unused bits that must be zero.
        var text = new KmsWrappedKey(Arn, [0xAB, 0xCD]).Format();
        var last = text[^1];
        var flipped = text[..^1] + (char)(last + 1);
        Assert.Throws<CiphertextRejectedException>(() => KmsWrappedKey.Parse(flipped));
    }

    [Fact]
    public void Sdk_streams_are_wiped_after_the_bytes_are_taken()
    {
        var exposed = new MemoryStream();
        exposed.Write([1, 2, 3, 4]);
        var exposedBuffer = exposed.GetBuffer();
        var array = new byte[] { 5, 6, 7, 8 };
        var hidden = new MemoryStream(array);

        Assert.Equal([1, 2, 3, 4], SecretStreams.TakeAndZero(exposed));
        Assert.Equal([5, 6, 7, 8], SecretStreams.TakeAndZero(hidden));
        Assert.All(array, b => Assert.Equal(0, b));
        Assert.All(exposedBuffer, b => Assert.Equal(0, b));
        Assert.Empty(SecretStreams.TakeAndZero(null));
    }
}
