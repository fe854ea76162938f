namespace PayApi.Vault.Tests;

public sealed class KeyRotationServiceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Rotate_then_rewrap_moves_every_data_key_to_the_new_version()
    {
        using var keyring = Vault.Keyring(_dir.Path);
        using var store = Vault.Store(_dir.Path);
        var service = Vault.Rotation(keyring, store);

        // More records than one rewrap page, so paging is exercised.
        var plaintexts = new Dictionary<string, byte[]>();
        for (var i = 0; i < 205; i++)
        {
            var ctx = new EncryptionContext("client_" + (i % 3), $"conn_{i:D3}");
            var generated = await keyring.GenerateDataKeyAsync(ctx, default);
            await store.PutAsync(new WrappedKeyRecord(ctx.ConnectionId, ctx.ClientId, generated.KeyId, generated.Wrapped), default);
            plaintexts[ctx.ConnectionId] = generated.Plaintext;
        }

        Assert.Equal([new KeyVersionUsage("local-1", (await keyring.ListVersionsAsync(default))[0].CreatedAt, true, 205)], await service.ListAsync(default));

        var rotated = await service.RotateAsync(default);
        Assert.Equal("local-2", rotated.KeyId);
        var before = await service.ListAsync(default);
        Assert.Equal([("local-1", false, 205L), ("local-2", true, 0L)], before.Select(v => (v.KeyId, v.Primary, v.WrappedDataKeys)));

        var result = await service.RewrapAllAsync(default);

        Assert.Equal(new RewrapResult(Scanned: 205, Rewrapped: 205, AlreadyCurrent: 0, Conflicts: 0, Failed: 0), result);
        var after = await service.ListAsync(default);
        Assert.Equal([("local-1", 0L), ("local-2", 205L)], after.Select(v => (v.KeyId, v.WrappedDataKeys)));

        // Every moved key still opens to the same bytes, for its own owner only.
        var listed = await store.ListAsync(null, 1000, default);
        Assert.Null(listed.NextCursor);
        Assert.Equal(205, listed.Records.Count);
        foreach (var record in listed.Records)
        {
            Assert.Equal("local-2", keyring.KeyIdOf(record.Wrapped));
            Assert.Equal(plaintexts[record.ConnectionId], await keyring.UnwrapAsync(record.Wrapped, new EncryptionContext(record.ClientId, record.ConnectionId), default));
        }

        Assert.Equal(new RewrapResult(205, 0, 205, 0, 0), await service.RewrapAllAsync(default));
    }

    [Fact]
    public async Task Rewrap_counts_unreadable_records_and_leaves_them_alone()
    {
        using var keyring = Vault.Keyring(_dir.Path);
        using var store = Vault.Store(_dir.Path);
        var service = Vault.Rotation(keyring, store);
        var ctx = new EncryptionContext("client", "conn_ok");
        var good = await keyring.GenerateDataKeyAsync(ctx, default);
        await store.PutAsync(new WrappedKeyRecord("conn_ok", "client", good.KeyId, good.Wrapped), default);
        // Stored under the wrong owner: it can never be unwrapped for this row.
        await store.PutAsync(new WrappedKeyRecord("conn_moved", "client", good.KeyId, good.Wrapped), default);
        await keyring.RotateAsync(default);

        var result = await service.RewrapAllAsync(default);

        Assert.Equal(new RewrapResult(2, 1, 0, 0, 1), result);
        Assert.Equal(good.Wrapped, await store.GetAsync("conn_moved", default));
    }
}
