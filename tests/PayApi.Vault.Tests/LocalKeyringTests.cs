using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace PayApi.Vault.Tests;

public sealed class LocalKeyringTests : IDisposable
{
    private static readonly EncryptionContext Owner = new("client_1", "conn_1");
    private readonly TempDirectory _dir = new();

    private string KeyFile => Path.Combine(_dir.Path, "master.key");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Generates_master_key_file_0600_with_a_kms_warning_and_reuses_it()
    {
        var logger = new CapturingLogger<LocalKeyring>();
        using var first = Vault.Keyring(_dir.Path, logger: logger);
        var generated = await first.GenerateDataKeyAsync(Owner, default);
        var fileBytes = await File.ReadAllBytesAsync(KeyFile);

        Assert.Equal("local-1", generated.KeyId);
        Assert.Equal(32, generated.Plaintext.Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        }

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("KMS", StringComparison.Ordinal));

        using var second = Vault.Keyring(_dir.Path);
        Assert.Equal(generated.Plaintext, await second.UnwrapAsync(generated.Wrapped, Owner, default));
        Assert.Equal(fileBytes, await File.ReadAllBytesAsync(KeyFile));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task Wrapped_keys_are_bound_to_their_owner_and_refuse_tampering()
    {
        using var keyring = Vault.Keyring(_dir.Path);
        var generated = await keyring.GenerateDataKeyAsync(Owner, default);

        await Assert.ThrowsAsync<CiphertextRejectedException>(() => keyring.UnwrapAsync(generated.Wrapped, Owner with { ConnectionId = "conn_2" }, default));
        await Assert.ThrowsAsync<CiphertextRejectedException>(() => keyring.UnwrapAsync(generated.Wrapped, Owner with { ClientId = "client_2" }, default));

        var w = generated.Wrapped;
        for (var i = 0; i < w.Length; i++)
        {
            var tampered = string.Concat(w.AsSpan(0, i), (w[i] == 'A' ? 'B' : 'A').ToString(), w.AsSpan(i + 1));
            await Assert.ThrowsAsync<CiphertextRejectedException>(() => keyring.UnwrapAsync(tampered, Owner, default));
        }
    }

    [Fact]
    public async Task A_data_key_sealed_field_is_not_a_wrapped_key()
    {
        using var keyring = Vault.Keyring(_dir.Path);
        var generated = await keyring.GenerateDataKeyAsync(Owner, default);
        using var dataKey = new DataKey(Owner, generated.Plaintext);

        await Assert.ThrowsAsync<CiphertextRejectedException>(() => keyring.UnwrapAsync(dataKey.Seal("data_key", new byte[32]), Owner, default));
    }

    [Fact]
    public async Task Rotation_adds_a_primary_version_and_old_versions_still_unwrap()
    {
        using var keyring = Vault.Keyring(_dir.Path);
        var old = await keyring.GenerateDataKeyAsync(Owner, default);

        var rotated = await keyring.RotateAsync(default);
        var fresh = await keyring.GenerateDataKeyAsync(Owner, default);

        Assert.Equal(new KeyVersion("local-2", rotated.CreatedAt, true), rotated);
        Assert.Equal(["local-1", "local-2"], (await keyring.ListVersionsAsync(default)).Select(v => v.KeyId));
        Assert.Equal("local-2", (await keyring.ListVersionsAsync(default)).Single(v => v.Primary).KeyId);
        Assert.Equal("local-2", fresh.KeyId);
        Assert.Equal("local-2", keyring.KeyIdOf(fresh.Wrapped));
        Assert.Equal(old.Plaintext, await keyring.UnwrapAsync(old.Wrapped, Owner, default));

        var rewrapped = await keyring.RewrapAsync(old.Wrapped, Owner, default);
        Assert.Equal("local-2", keyring.KeyIdOf(rewrapped));
        Assert.Equal(old.Plaintext, await keyring.UnwrapAsync(rewrapped, Owner, default));

        // A fresh instance reads every version back from the file.
        using var reloaded = Vault.Keyring(_dir.Path);
        Assert.Equal("local-2", (await reloaded.ListVersionsAsync(default)).Single(v => v.Primary).KeyId);
        Assert.Equal(old.Plaintext, await reloaded.UnwrapAsync(old.Wrapped, Owner, default));
        Assert.Equal(fresh.Plaintext, await reloaded.UnwrapAsync(fresh.Wrapped, Owner, default));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        }
    }

    [Fact]
    public async Task The_version_key_id_cannot_be_swapped()
    {
        using var keyring = Vault.Keyring(_dir.Path);
        await keyring.GenerateDataKeyAsync(Owner, default);
        await keyring.RotateAsync(default);
        var fresh = await keyring.GenerateDataKeyAsync(Owner, default);

        foreach (var keyId in new[] { "local-1", "local-3", "dk" })
        {
            var swapped = fresh.Wrapped.Replace(":local-2:", ":" + keyId + ":", StringComparison.Ordinal);
            await Assert.ThrowsAsync<CiphertextRejectedException>(() => keyring.UnwrapAsync(swapped, Owner, default));
        }
    }

    [Fact]
    public async Task A_configured_master_key_is_used_without_a_file_and_survives_rotation()
    {
        var configured = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        using var keyring = Vault.Keyring(_dir.Path, configured);
        var old = await keyring.GenerateDataKeyAsync(Owner, default);

        Assert.Equal("local-1", old.KeyId);
        Assert.False(File.Exists(KeyFile));

        await keyring.RotateAsync(default);
        var fresh = await keyring.GenerateDataKeyAsync(Owner, default);
        Assert.Equal("local-2", fresh.KeyId);
        Assert.DoesNotContain(configured, await File.ReadAllTextAsync(KeyFile), StringComparison.Ordinal);

        using var reloaded = Vault.Keyring(_dir.Path, configured);
        Assert.Equal(old.Plaintext, await reloaded.UnwrapAsync(old.Wrapped, Owner, default));
        Assert.Equal(fresh.Plaintext, await reloaded.UnwrapAsync(fresh.Wrapped, Owner, default));
        Assert.Equal("local-2", (await reloaded.ListVersionsAsync(default)).Single(v => v.Primary).KeyId);
    }

    [Fact]
    public async Task A_different_configured_key_cannot_open_old_wraps()
    {
        using var keyring = Vault.Keyring(_dir.Path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var wrapped = (await keyring.GenerateDataKeyAsync(Owner, default)).Wrapped;

        using var other = Vault.Keyring(Path.Combine(_dir.Path, "other"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await Assert.ThrowsAsync<CiphertextRejectedException>(() => other.UnwrapAsync(wrapped, Owner, default));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==")]
    public async Task A_bad_configured_master_key_fails_naming_the_setting(string masterKey)
    {
        using var keyring = Vault.Keyring(_dir.Path, masterKey);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => keyring.GenerateDataKeyAsync(Owner, default));

        Assert.Contains("PayApi:Vault:MasterKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(masterKey, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(KeyFile));
    }

    [Fact]
    public async Task A_configured_key_that_contradicts_the_file_fails_naming_the_setting()
    {
        using (var generated = Vault.Keyring(_dir.Path))
        {
            await generated.GenerateDataKeyAsync(Owner, default);
        }

        using var keyring = Vault.Keyring(_dir.Path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => keyring.ListVersionsAsync(default));
        Assert.Contains("PayApi:Vault:MasterKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_master_key_file_fails_without_echoing_it()
    {
        await File.WriteAllTextAsync(KeyFile, "local-1 2024-01-01T00:00:00+00:00 c2VjcmV0\n");
        using var keyring = Vault.Keyring(_dir.Path);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => keyring.ListVersionsAsync(default));
        Assert.DoesNotContain("c2VjcmV0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_use_and_rotation_are_safe()
    {
        using var keyring = Vault.Keyring(_dir.Path);
        var work = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var ctx = new EncryptionContext("client", "conn_" + i);
            if (i % 4 == 0)
            {
                await keyring.RotateAsync(default);
            }

            var generated = await keyring.GenerateDataKeyAsync(ctx, default);
            Assert.Equal(generated.Plaintext, await keyring.UnwrapAsync(generated.Wrapped, ctx, default));
        }));
        await Task.WhenAll(work);

        var versions = await keyring.ListVersionsAsync(default);
        Assert.Equal(5, versions.Count);
        Assert.Equal("local-5", versions.Single(v => v.Primary).KeyId);
    }
}
