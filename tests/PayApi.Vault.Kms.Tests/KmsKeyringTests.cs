using System.Buffers.Text;
using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

public sealed class KmsKeyringTests : IAsyncLifetime
{
    private KmsServer _server = null!;
    private KmsKeyring _keyring = null!;

    public async Task InitializeAsync()
    {
        _server = await KmsServer.StartAsync();
        var options = Kms.Options(_server);
        _keyring = Kms.Keyring(Kms.Client(options), options);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Generated_key_unwraps_to_the_same_bytes_with_one_decrypt_per_unwrap()
    {
        var ctx = new EncryptionContext("client_1", "conn_1");
        var generated = await _keyring.GenerateDataKeyAsync(ctx, default);

        Assert.Equal(32, generated.Plaintext.Length);
        Assert.StartsWith("kms1:", generated.Wrapped, StringComparison.Ordinal);
        Assert.Equal(_server.DefaultKeyArn, generated.KeyId);
        Assert.Equal(_server.DefaultKeyArn, _keyring.KeyIdOf(generated.Wrapped));
        Assert.DoesNotContain('=', generated.Wrapped);

        _server.ResetCounts();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(generated.Plaintext, await _keyring.UnwrapAsync(generated.Wrapped, ctx, default));
        }

        Assert.Equal(3, _server.Calls("Decrypt"));
        Assert.Equal(0, _server.Calls("DescribeKey"));
    }

    [Fact]
    public async Task Two_generated_keys_differ()
    {
        var ctx = new EncryptionContext("client_1", "conn_1");
        var a = await _keyring.GenerateDataKeyAsync(ctx, default);
        var b = await _keyring.GenerateDataKeyAsync(ctx, default);
        Assert.NotEqual(a.Plaintext, b.Plaintext);
        Assert.NotEqual(a.Wrapped, b.Wrapped);
    }

    [Theory]
    [InlineData("client_1", "conn_2")]
    [InlineData("client_2", "conn_1")]
    public async Task Wrapped_key_moved_to_another_owner_is_refused(string clientId, string connectionId)
    {
        var generated = await _keyring.GenerateDataKeyAsync(new EncryptionContext("client_1", "conn_1"), default);
        var e = await Assert.ThrowsAsync<CiphertextRejectedException>(() => _keyring.UnwrapAsync(generated.Wrapped, new EncryptionContext(clientId, connectionId), default));
        Assert.Equal("The ciphertext was rejected (decryption failed).", e.Message);
        Assert.Null(e.InnerException);
    }

    [Fact]
    public async Task Tampered_blob_is_refused()
    {
        var ctx = new EncryptionContext("client_1", "conn_1");
        var generated = await _keyring.GenerateDataKeyAsync(ctx, default);
        var parts = generated.Wrapped.Split(':');
        var blob = Base64Url.DecodeFromChars(parts[2]);
        for (var position = 0; position < blob.Length; position += 7)
        {
            var tampered = (byte[])blob.Clone();
            tampered[position] ^= 0x01;
            var value = string.Join(':', parts[0], parts[1], Base64Url.EncodeToString(tampered));
            await Assert.ThrowsAsync<CiphertextRejectedException>(() => _keyring.UnwrapAsync(value, ctx, default));
        }
    }

    [Fact]
    public async Task Wrapped_value_naming_another_key_is_refused()
    {
        var other = _server.AddKey();
        var ctx = new EncryptionContext("client_1", "conn_1");
        var generated = await _keyring.GenerateDataKeyAsync(ctx, default);
        var parts = generated.Wrapped.Split(':');
        var renamed = string.Join(':', parts[0], Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(other)), parts[2]);

        Assert.Equal(other, _keyring.KeyIdOf(renamed));
        var e = await Assert.ThrowsAsync<CiphertextRejectedException>(() => _keyring.UnwrapAsync(renamed, ctx, default));
        Assert.Equal("The ciphertext was rejected (decryption failed).", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("kms1:")]
    [InlineData("kms1::")]
    [InlineData("kms1:YXJuOmF3cw:")]
    [InlineData("kms1:YXJuOmF3cw:AAAA:AAAA")]
    [InlineData("kms1:bm90LWFuLWFybg:AAAA")]
    [InlineData("kms1:YXJuOmF3cw==:AAAA")]
    [InlineData("kms1:YXJuOmF3cw:AAA!")]
    [InlineData("kms2:YXJuOmF3cw:AAAA")]
    [InlineData("not a wrapped key")]
    public async Task Malformed_value_is_refused_without_asking_kms(string value)
    {
        _server.ResetCounts();
        await Assert.ThrowsAsync<CiphertextRejectedException>(() => _keyring.UnwrapAsync(value, new EncryptionContext("client_1", "conn_1"), default));
        Assert.Equal(0, _server.Calls("Decrypt"));
    }

    [Fact]
    public async Task Local_value_without_a_legacy_keyring_is_refused_as_unknown_key()
    {
        using var dir = new TempDirectory();
        using var local = Kms.Local(dir.Path, Kms.NewMasterKey());
        var ctx = new EncryptionContext("client_1", "conn_1");
        var generated = await local.GenerateDataKeyAsync(ctx, default);

        Assert.Equal("local-1", _keyring.KeyIdOf(generated.Wrapped));
        var e = await Assert.ThrowsAsync<CiphertextRejectedException>(() => _keyring.UnwrapAsync(generated.Wrapped, ctx, default));
        Assert.Equal("The ciphertext was rejected (unknown key id).", e.Message);
    }

    [Fact]
    public async Task Versions_are_the_configured_key_then_the_legacy_local_versions()
    {
        using var dir = new TempDirectory();
        using var local = Kms.Local(dir.Path, Kms.NewMasterKey());
        var options = Kms.Options(_server);
        var keyring = Kms.Keyring(Kms.Client(options), options, local);

        _server.ResetCounts();
        var versions = await keyring.ListVersionsAsync(default);
        await keyring.ListVersionsAsync(default);
        await keyring.GenerateDataKeyAsync(new EncryptionContext("client_1", "conn_1"), default);

        Assert.Equal([(_server.DefaultKeyArn, true), ("local-1", false)], versions.Select(v => (v.KeyId, v.Primary)));
        Assert.InRange(versions[0].CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(1, _server.Calls("DescribeKey"));
    }

    [Fact]
    public async Task Configured_key_may_be_an_alias_arn_a_key_id_or_a_key_arn()
    {
        var arn = _server.DefaultKeyArn;
        foreach (var keyId in new[] { $"arn:aws:kms:{KmsServer.Region}:{KmsServer.Account}:{KmsServer.TestAlias}", arn[(arn.LastIndexOf('/') + 1)..], arn })
        {
            var options = Kms.Options(_server, keyId);
            var keyring = Kms.Keyring(Kms.Client(options), options);
            Assert.Equal(arn, (await keyring.ListVersionsAsync(default)).Single(v => v.Primary).KeyId);
            Assert.Equal(arn, (await keyring.GenerateDataKeyAsync(new EncryptionContext("c", "k"), default)).KeyId);
        }
    }

    [Fact]
    public async Task Rotation_is_refused_with_the_way_to_move_keys()
    {
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => _keyring.RotateAsync(default));
        Assert.Contains("automatic rotation", e.Message, StringComparison.Ordinal);
        Assert.Contains("PayApi:Kms:KeyId", e.Message, StringComparison.Ordinal);
        Assert.Contains("POST /admin/v1/keys/rewrap", e.Message, StringComparison.Ordinal);
    }
}
