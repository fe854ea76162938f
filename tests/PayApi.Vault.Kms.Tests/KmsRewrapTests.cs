using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

/// <summary>Moving data keys: from the embedded local key to KMS, and from one KMS key to another.</summary>
public sealed class KmsRewrapTests : WithKmsServer
{
    [Fact]
    public async Task Local_keys_rewrapped_to_kms_open_without_the_local_key()
    {
        using var local = Kms.Local(DirPath, Kms.NewMasterKey());
        var options = Kms.Options(Server);
        var client = Kms.Client(options);
        var migrating = Kms.Keyring(client, options, local);
        var kmsOnly = Kms.Keyring(client, options);

        var originals = new List<(EncryptionContext Ctx, GeneratedDataKey Key)>();
        for (var i = 0; i < 5; i++)
        {
            var ctx = new EncryptionContext("client_" + (i % 2), "conn_" + i);
            originals.Add((ctx, await local.GenerateDataKeyAsync(ctx, default)));
        }

        foreach (var (ctx, key) in originals)
        {
            // Before the move the migrating keyring opens the local value itself, with no KMS call.
            Server.ResetCounts();
            Assert.Equal(key.Plaintext, await migrating.UnwrapAsync(key.Wrapped, ctx, default));
            Assert.Equal(0, Server.Calls("Decrypt"));

            var moved = await migrating.RewrapAsync(key.Wrapped, ctx, default);
            Assert.StartsWith("kms1:", moved, StringComparison.Ordinal);
            Assert.Equal(Server.DefaultKeyArn, migrating.KeyIdOf(moved));
            Assert.Equal(1, Server.Calls("Encrypt"));
            Assert.Equal(key.Plaintext, await kmsOnly.UnwrapAsync(moved, ctx, default));

            // The moved value stays bound to its owner.
            await Assert.ThrowsAsync<CiphertextRejectedException>(() => kmsOnly.UnwrapAsync(moved, ctx with { ConnectionId = ctx.ConnectionId + "x" }, default));
        }
    }

    [Fact]
    public async Task A_local_value_moved_to_another_owner_is_not_rewrapped()
    {
        using var local = Kms.Local(DirPath, Kms.NewMasterKey());
        var options = Kms.Options(Server);
        var keyring = Kms.Keyring(Kms.Client(options), options, local);
        var key = await local.GenerateDataKeyAsync(new EncryptionContext("client_1", "conn_1"), default);

        await Assert.ThrowsAsync<CiphertextRejectedException>(() => keyring.RewrapAsync(key.Wrapped, new EncryptionContext("client_1", "conn_2"), default));
        Assert.Equal(0, Server.Calls("Encrypt"));
    }

    [Fact]
    public async Task Move_between_kms_keys_uses_reencrypt_and_never_asks_for_the_plaintext()
    {
        var oldOptions = Kms.Options(Server);
        var oldKeyring = Kms.Keyring(Kms.Client(oldOptions), oldOptions);
        var ctx = new EncryptionContext("client_1", "conn_1");
        var key = await oldKeyring.GenerateDataKeyAsync(ctx, default);

        var newArn = Server.AddKey("alias/payapi-next");
        var newOptions = Kms.Options(Server, "alias/payapi-next");
        var newKeyring = Kms.Keyring(Kms.Client(newOptions), newOptions);
        await newKeyring.ListVersionsAsync(default);
        Server.ResetCounts();

        var moved = await newKeyring.RewrapAsync(key.Wrapped, ctx, default);

        Assert.Equal(1, Server.Calls("ReEncrypt"));
        Assert.Equal(0, Server.Calls("Decrypt"));
        Assert.Equal(0, Server.Calls("Encrypt"));
        Assert.Equal(newArn, newKeyring.KeyIdOf(moved));
        Assert.Equal(key.Plaintext, await newKeyring.UnwrapAsync(moved, ctx, default));

        // Already under the primary: returned as is, without a KMS call.
        Server.ResetCounts();
        Assert.Same(moved, await newKeyring.RewrapAsync(moved, ctx, default));
        Assert.Equal(0, Server.Calls("ReEncrypt"));
    }

    [Fact]
    public async Task Reencrypt_under_another_owner_is_refused()
    {
        var oldOptions = Kms.Options(Server);
        var key = await Kms.Keyring(Kms.Client(oldOptions), oldOptions).GenerateDataKeyAsync(new EncryptionContext("client_1", "conn_1"), default);
        var newArn = Server.AddKey();
        var newOptions = Kms.Options(Server, newArn);
        var newKeyring = Kms.Keyring(Kms.Client(newOptions), newOptions);

        await Assert.ThrowsAsync<CiphertextRejectedException>(() => newKeyring.RewrapAsync(key.Wrapped, new EncryptionContext("client_2", "conn_1"), default));
    }
}
