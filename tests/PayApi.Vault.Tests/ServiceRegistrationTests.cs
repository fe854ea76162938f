using Microsoft.Extensions.DependencyInjection;

namespace PayApi.Vault.Tests;

public sealed class ServiceRegistrationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Registers_the_local_vault_as_singletons()
    {
        var services = new ServiceCollection().AddLogging().AddPayApiLocalVault(o => o.DataDir = _dir.Path);
        await using var provider = services.BuildServiceProvider();

        var keyring = provider.GetRequiredService<IKeyring>();
        Assert.IsType<LocalKeyring>(keyring);
        Assert.IsType<SqliteDataKeyStore>(provider.GetRequiredService<IDataKeyStore>());
        Assert.Same(keyring, provider.GetRequiredService<IKeyring>());
        Assert.Equal("local", keyring.Name);

        var versions = await provider.GetRequiredService<KeyRotationService>().ListAsync(default);
        Assert.Equal("local-1", Assert.Single(versions).KeyId);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "master.key")));
    }
}
