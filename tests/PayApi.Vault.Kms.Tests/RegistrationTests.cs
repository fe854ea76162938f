using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

public sealed class RegistrationTests : WithKmsServer
{
    [Fact]
    public async Task Kms_replaces_the_local_keyring_without_generating_a_local_master_key()
    {
        await using var provider = Services(masterKey: null).BuildServiceProvider();

        var keyring = Assert.IsType<KmsKeyring>(provider.GetRequiredService<IKeyring>());
        Assert.Same(keyring, provider.GetRequiredService<KmsKeyring>());
        Assert.False(keyring.HasLegacyKeyring);
        Assert.NotNull(await keyring.GenerateDataKeyAsync(new EncryptionContext("c", "k"), default));
        Assert.Equal(Server.DefaultKeyArn, (await provider.GetRequiredService<KeyRotationService>().ListAsync(default)).Single().KeyId);
        Assert.False(File.Exists(Path.Combine(DirPath, "master.key")));
    }

    [Fact]
    public async Task Configured_master_key_becomes_the_legacy_keyring()
    {
        await using var provider = Services(Kms.NewMasterKey()).BuildServiceProvider();
        var keyring = provider.GetRequiredService<KmsKeyring>();
        Assert.True(keyring.HasLegacyKeyring);
        Assert.Equal([true, false], (await keyring.ListVersionsAsync(default)).Select(v => v.Primary));
    }

    [Fact]
    public async Task Existing_master_key_file_becomes_the_legacy_keyring()
    {
        using (var local = new LocalKeyring(Options.Create(new VaultOptions { DataDir = DirPath }), Microsoft.Extensions.Logging.Abstractions.NullLogger<LocalKeyring>.Instance, TimeProvider.System))
        {
            await local.ListVersionsAsync(default);
        }

        Assert.True(File.Exists(Path.Combine(DirPath, "master.key")));
        await using var provider = Services(masterKey: null).BuildServiceProvider();
        Assert.True(provider.GetRequiredService<KmsKeyring>().HasLegacyKeyring);
    }

    [Fact]
    public async Task Missing_key_id_fails_at_start()
    {
        var services = new ServiceCollection().AddLogging().AddPayApiLocalVault(o => o.DataDir = DirPath).AddPayApiKmsKeyring(o => o.ServiceUrl = Server.ServiceUrl);
        await using var provider = services.BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KmsOptions>>().Value);
        var validator = provider.GetServices<IStartupValidator>().Single();
        Assert.Throws<OptionsValidationException>(validator.Validate);
    }

    private ServiceCollection Services(string? masterKey)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPayApiLocalVault(o =>
        {
            o.DataDir = DirPath;
            o.MasterKey = masterKey;
        });
        services.AddPayApiKmsKeyring(o =>
        {
            o.KeyId = KmsServer.TestAlias;
            o.ServiceUrl = Server.ServiceUrl;
        });
        return services;
    }
}
