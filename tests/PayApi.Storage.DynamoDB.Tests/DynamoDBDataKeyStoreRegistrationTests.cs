using Amazon.DynamoDBv2;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using PayApi.Vault;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>The host calls AddPayApiLocalVault, then AddDynamoDBDataKeyStore: the DynamoDB store must be the one used.</summary>
public sealed class DynamoDBDataKeyStoreRegistrationTests
{
    [Fact]
    public async Task Added_after_the_local_vault_it_replaces_the_SQLite_store()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPayApiLocalVault(o => o.DataDir = Path.GetTempPath());
        services.AddDynamoDBDataKeyStore(o => o.ServiceUrl = "http://127.0.0.1:9");

        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.Single(services, d => d.ServiceType == typeof(IDataKeyStore));
        Assert.IsType<DynamoDBDataKeyStore>(provider.GetRequiredService<IDataKeyStore>());
        Assert.Equal("http://127.0.0.1:9", provider.GetRequiredService<IAmazonDynamoDB>().Config.ServiceURL.TrimEnd('/'));
        Assert.IsType<KeyRotationService>(provider.GetRequiredService<KeyRotationService>());
        foreach (var validator in provider.GetServices<IConfigurationValidator>())
        {
            validator.ValidateConfiguration();
        }
    }

    [Fact]
    public async Task A_store_registered_after_it_is_refused_at_start()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddDynamoDBDataKeyStore(o => o.ServiceUrl = "http://127.0.0.1:9");
        services.AddPayApiLocalVault(o => o.DataDir = Path.GetTempPath());

        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OrleansConfigurationException>(() =>
        {
            foreach (var validator in provider.GetServices<IConfigurationValidator>())
            {
                validator.ValidateConfiguration();
            }
        });
        Assert.Contains("SqliteDataKeyStore", error.Message);
    }
}
