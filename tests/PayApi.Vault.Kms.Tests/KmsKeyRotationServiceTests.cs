using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

/// <summary><see cref="KeyRotationService"/> over a KMS keyring: rewrap all and usage counts, with keys of three origins.</summary>
public sealed class KmsKeyRotationServiceTests : WithKmsServer
{
    [Fact]
    public async Task Rewrap_all_moves_local_and_old_kms_keys_to_the_primary_and_counts_follow()
    {
        using var local = Kms.Local(DirPath, Kms.NewMasterKey());
        using var store = Kms.Store(DirPath);
        var oldOptions = Kms.Options(Server);
        var oldKeyring = Kms.Keyring(Kms.Client(oldOptions), oldOptions);
        var newArn = Server.AddKey();
        var newOptions = Kms.Options(Server, newArn);
        var keyring = Kms.Keyring(Kms.Client(newOptions), newOptions, local);
        var service = Kms.Rotation(keyring, store);

        var plaintexts = new Dictionary<string, byte[]>();
        async Task PutAsync(IKeyring origin, string connectionId)
        {
            var ctx = new EncryptionContext("client_1", connectionId);
            var generated = await origin.GenerateDataKeyAsync(ctx, default);
            plaintexts[connectionId] = generated.Plaintext;
            await store.PutAsync(new WrappedKeyRecord(connectionId, ctx.ClientId, generated.KeyId, generated.Wrapped), default);
        }

        for (var i = 0; i < 3; i++)
        {
            await PutAsync(local, "conn_local_" + i);
        }

        for (var i = 0; i < 2; i++)
        {
            await PutAsync(oldKeyring, "conn_old_" + i);
        }

        await PutAsync(keyring, "conn_new");

        var before = await service.ListAsync(default);
        Assert.Equal(
            [(newArn, true, 1L), ("local-1", false, 3L), (Server.DefaultKeyArn, false, 2L)],
            before.Select(v => (v.KeyId, v.Primary, v.WrappedDataKeys)));
        Assert.Equal(KeyVersionUsage.UnknownCreatedAt, before[2].CreatedAt);

        Server.ResetCounts();
        var result = await service.RewrapAllAsync(default);
        Assert.Equal(new RewrapResult(Scanned: 6, Rewrapped: 5, AlreadyCurrent: 1, Conflicts: 0, Failed: 0), result);
        Assert.Equal(3, Server.Calls("Encrypt"));
        Assert.Equal(2, Server.Calls("ReEncrypt"));
        Assert.Equal(0, Server.Calls("Decrypt"));

        var after = await service.ListAsync(default);
        Assert.Equal([(newArn, true, 6L), ("local-1", false, 0L)], after.Select(v => (v.KeyId, v.Primary, v.WrappedDataKeys)));

        // Every key opens with KMS alone, and a second pass finds nothing to do.
        var kmsOnly = Kms.Keyring(Kms.Client(newOptions), newOptions);
        var page = await store.ListAsync(null, 100, default);
        Assert.Equal(6, page.Records.Count);
        foreach (var record in page.Records)
        {
            Assert.Equal(newArn, record.KeyId);
            Assert.Equal(plaintexts[record.ConnectionId], await kmsOnly.UnwrapAsync(record.Wrapped, new EncryptionContext(record.ClientId, record.ConnectionId), default));
        }

        Assert.Equal(new RewrapResult(6, 0, 6, 0, 0), await service.RewrapAllAsync(default));
    }

    [Fact]
    public async Task A_key_moved_to_another_connection_fails_the_rewrap_and_stays()
    {
        using var store = Kms.Store(DirPath);
        var oldOptions = Kms.Options(Server);
        var oldKeyring = Kms.Keyring(Kms.Client(oldOptions), oldOptions);
        var newOptions = Kms.Options(Server, Server.AddKey());
        var keyring = Kms.Keyring(Kms.Client(newOptions), newOptions);
        var generated = await oldKeyring.GenerateDataKeyAsync(new EncryptionContext("client_1", "conn_1"), default);
        await store.PutAsync(new WrappedKeyRecord("conn_2", "client_1", generated.KeyId, generated.Wrapped), default);

        var result = await Kms.Rotation(keyring, store).RewrapAllAsync(default);

        Assert.Equal(new RewrapResult(1, 0, 0, 0, 1), result);
        Assert.Equal(generated.Wrapped, await store.GetAsync("conn_2", default));
    }

    [Fact]
    public async Task Kms_outage_stops_the_rewrap_as_unavailable_and_leaves_the_keys_as_they_were()
    {
        using var store = Kms.Store(DirPath);
        var oldOptions = Kms.Options(Server);
        var generated = await Kms.Keyring(Kms.Client(oldOptions), oldOptions).GenerateDataKeyAsync(new EncryptionContext("client_1", "conn_1"), default);
        await store.PutAsync(new WrappedKeyRecord("conn_1", "client_1", generated.KeyId, generated.Wrapped), default);
        var newOptions = Kms.Options(Server, Server.AddKey(), maxErrorRetry: 1);
        var service = Kms.Rotation(Kms.Keyring(Kms.Client(newOptions), newOptions), store);
        await service.ListAsync(default);

        Server.SetFault("throttle", -1, "ReEncrypt");
        await Assert.ThrowsAsync<KmsUnavailableException>(() => service.RewrapAllAsync(default));
        Assert.Equal(generated.Wrapped, await store.GetAsync("conn_1", default));

        Server.ClearFaults();
        Assert.Equal(new RewrapResult(1, 1, 0, 0, 0), await service.RewrapAllAsync(default));
    }
}
