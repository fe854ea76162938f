using System.Buffers.Text;
using System.Text;

namespace PayApi.Vault.Tests;

public sealed class CanaryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task No_plaintext_or_data_key_reaches_keys_db_or_master_key()
    {
        const string canary = "CANARY-7f3a-never-on-disk";
        using var keyring = Vault.Keyring(_dir.Path);
        using var store = Vault.Store(_dir.Path);
        var service = Vault.Rotation(keyring, store);

        var secrets = new List<byte[]> { Encoding.UTF8.GetBytes(canary) };
        for (var i = 0; i < 3; i++)
        {
            var ctx = new EncryptionContext("client", "conn_" + i);
            var generated = await keyring.GenerateDataKeyAsync(ctx, default);
            secrets.Add((byte[])generated.Plaintext.Clone());
            await store.PutAsync(new WrappedKeyRecord(ctx.ConnectionId, ctx.ClientId, generated.KeyId, generated.Wrapped), default);
            using var dataKey = new DataKey(ctx, generated.Plaintext);
            Assert.Equal(canary, dataKey.OpenString("password", dataKey.Seal("password", canary)));
        }

        await service.RotateAsync(default);
        await service.RewrapAllAsync(default);

        var files = Directory.GetFiles(_dir.Path).Where(f => Path.GetFileName(f).StartsWith("keys.db", StringComparison.Ordinal) || f.EndsWith("master.key", StringComparison.Ordinal)).ToList();
        Assert.Contains(files, f => f.EndsWith("master.key", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("keys.db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file);
            }
            catch (FileNotFoundException)
            {
                continue; // a -wal or -shm file SQLite removed when its last connection closed, after the listing
            }

            foreach (var secret in secrets)
            {
                foreach (var form in new[] { secret, Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)), Encoding.ASCII.GetBytes(Base64Url.EncodeToString(secret)), Encoding.ASCII.GetBytes(Convert.ToHexString(secret)) })
                {
                    Assert.True(bytes.AsSpan().IndexOf(form) < 0, $"{Path.GetFileName(file)} contains a secret");
                }
            }
        }
    }
}
