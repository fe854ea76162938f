using System.Buffers.Text;
using System.Text;
using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

public sealed class KmsCanaryTests : WithKmsServer
{
    [Fact]
    public async Task No_data_key_or_sealed_secret_reaches_a_log_line_or_an_exception_message()
    {
        const string canary = "CANARY-kms-5d1e-never-logged";
        var kmsLog = new CapturingLogger<KmsKeyring>();
        var localLog = new CapturingLogger<LocalKeyring>();
        var rotationLog = new CapturingLogger<KeyRotationService>();
        using var local = Kms.Local(DirPath, Kms.NewMasterKey(), localLog);
        using var store = Kms.Store(DirPath);
        var oldOptions = Kms.Options(Server, maxErrorRetry: 1);
        var oldKeyring = Kms.Keyring(Kms.Client(oldOptions), oldOptions, local, kmsLog);
        var options = Kms.Options(Server, Server.AddKey(), maxErrorRetry: 1);
        var keyring = Kms.Keyring(Kms.Client(options), options, local, kmsLog);

        var secrets = new List<byte[]> { Encoding.UTF8.GetBytes(canary) };
        var messages = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var ctx = new EncryptionContext("client", "conn_" + i);
            IKeyring origin = (i % 3) switch { 0 => local, 1 => oldKeyring, _ => keyring };
            var generated = await origin.GenerateDataKeyAsync(ctx, default);
            secrets.Add((byte[])generated.Plaintext.Clone());
            await store.PutAsync(new WrappedKeyRecord(ctx.ConnectionId, ctx.ClientId, generated.KeyId, generated.Wrapped), default);
            using var dataKey = new DataKey(ctx, generated.Plaintext);
            Assert.Equal(canary, dataKey.OpenString("password", dataKey.Seal("password", canary)));

            // Refusals and outages log and throw: neither may carry the key.
            messages.Add((await Assert.ThrowsAsync<CiphertextRejectedException>(() => keyring.UnwrapAsync(generated.Wrapped, ctx with { ConnectionId = "elsewhere" }, default))).ToString());
            if (generated.Wrapped.StartsWith("kms1:", StringComparison.Ordinal))
            {
                Server.SetFault("server_error", -1, "Decrypt");
                messages.Add((await Assert.ThrowsAsync<KmsUnavailableException>(() => keyring.UnwrapAsync(generated.Wrapped, ctx, default))).ToString());
                Server.ClearFaults();
            }
        }

        var service = Kms.Rotation(keyring, store, rotationLog);
        Assert.Equal(6, (await service.RewrapAllAsync(default)).Scanned);

        var lines = kmsLog.Entries.Concat(localLog.Entries).Concat(rotationLog.Entries).Select(e => e.Message).Concat(messages).ToList();
        Assert.Contains(lines, l => l.Contains("conn_", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            foreach (var secret in secrets)
            {
                foreach (var form in new[] { Convert.ToBase64String(secret), Base64Url.EncodeToString(secret), Convert.ToHexString(secret), Encoding.UTF8.GetString(secret) })
                {
                    Assert.False(line.Contains(form, StringComparison.OrdinalIgnoreCase), "a log line or exception message carries a secret");
                }
            }
        }
    }
}
