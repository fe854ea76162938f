using PayApi.Host;
using PayApi.Testing;
using Xunit;

namespace PayApi.Cluster.Tests;

/// <summary>A cluster that could not work refuses to start, naming the key to fix; nothing comes from one machine's data dir.</summary>
public sealed class ClusterSettingsTests
{
    private const string MasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    [Theory]
    [InlineData("PayApi:Storage:Provider", "--PayApi:Clustering:Provider=DynamoDB", "--PayApi:AdminToken=" + TestHost.AdminToken, "--PayApi:Vault:MasterKey=" + MasterKey)]
    [InlineData("PayApi:AdminToken", "--PayApi:Clustering:Provider=DynamoDB", "--PayApi:Storage:Provider=DynamoDB", "--PayApi:Vault:MasterKey=" + MasterKey)]
    [InlineData("PayApi:Vault:MasterKey", "--PayApi:Clustering:Provider=DynamoDB", "--PayApi:Storage:Provider=DynamoDB", "--PayApi:AdminToken=" + TestHost.AdminToken)]
    [InlineData("PayApi:Role", "--PayApi:Role=Everything")]
    [InlineData("PayApi:Role", "--PayApi:Role=7")]
    [InlineData("PayApi:Clustering:Provider", "--PayApi:Clustering:Provider=Consul")]
    [InlineData("PayApi:Orleans:AdvertisedIp", "--PayApi:Orleans:AdvertisedIp=silo-1.internal")]
    [InlineData("PayApi:Orleans:ProbeTimeout", "--PayApi:Orleans:ProbeTimeout=00:00:00.010")]
    [InlineData("PayApi:DynamoDB:ServiceUrl", "--PayApi:Storage:Provider=DynamoDB", "--PayApi:DynamoDB:ServiceUrl=ftp://127.0.0.1:1")]
    [InlineData("PayApi:DynamoDB:TablePrefix", "--PayApi:Storage:Provider=DynamoDB", "--PayApi:DynamoDB:TablePrefix=bad/prefix")]
    [InlineData("PayApi:Sandbox:Url", "--PayApi:Sandbox:Url=not a url")]
    public async Task Unworkable_cluster_settings_stop_start_up_naming_the_key(string key, params string[] settings)
    {
        var dataDir = TestHost.NewDataDir();
        var error = await Assert.ThrowsAsync<SettingsException>(() => PayApiApp.BuildAsync([$"--PayApi:DataDir={dataDir}", .. settings]));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dataDir, "admin.token")), "nothing may be written before the settings are checked");
    }

    [Fact]
    public void A_gateway_needs_no_master_key_and_runs_no_sandbox()
    {
        var settings = new PayApiSettings
        {
            Role = "gateway",
            AdminToken = TestHost.AdminToken,
            Storage = new() { Provider = "DynamoDB" },
            Clustering = new() { Provider = "DynamoDB" },
            Sandbox = new() { Enabled = true },
        };

        Assert.Empty(settings.Problems());
        Assert.Equal(HostRole.Gateway, settings.ParsedRole);
        Assert.False(settings.SandboxEnabled);
    }
}
