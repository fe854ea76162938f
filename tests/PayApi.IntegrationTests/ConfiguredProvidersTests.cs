using System.Net;
using System.Text.Json;
using PayApi.Host;
using PayApi.Sandbox;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// <c>PayApi:Providers</c> in the real application: the real <c>stripe</c> listed by default (never called here), turned
/// off, a declared Stripe-shaped provider connecting end to end, and bad entries stopping start-up with their keys.
/// </summary>
public sealed class ConfiguredProvidersTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private const string BadAcme = "--PayApi:Providers:acme:Kind=strype";
    private const string BadStripe = "--PayApi:Providers:stripe:Enabled=maybe";

    private static async Task<List<JsonElement>> ProvidersAsync(ApiClient api)
    {
        var client = await api.CreateClientAsync();
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/providers", ApiClient.Basic(client));
        return [.. (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray()];
    }

    [Fact]
    public async Task The_real_stripe_is_listed_by_default_beside_the_sandbox_providers()
    {
        var providers = await ProvidersAsync(fixture.Api);

        Assert.Equal(["stripe", "sandbox-stripe", "sandbox-bank"], providers.Select(p => p.GetProperty("id").GetString()));
        var stripe = providers[0];
        Assert.Equal("Stripe", stripe.GetProperty("name").GetString());
        Assert.Equal("api_key", stripe.GetProperty("auth").GetString());
        var field = Assert.Single(stripe.GetProperty("fields").EnumerateArray());
        Assert.Equal("api_key", field.GetProperty("name").GetString());
        Assert.True(field.GetProperty("secret").GetBoolean());
    }

    [Fact]
    public async Task A_declared_stripe_kind_provider_connects_end_to_end_and_stripe_can_be_turned_off()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);
        await using var host = await TestHost.StartAsync(extraArgs:
        [
            "--PayApi:Providers:stripe:Enabled=false",
            "--PayApi:Providers:acme:Kind=stripe",
            "--PayApi:Providers:acme:Name=Acme Pay",
            $"--PayApi:Providers:acme:BaseUrl={sandbox.StripeBaseAddress}",
        ]);
        var api = new ApiClient(host.Http);

        var providers = await ProvidersAsync(api);
        Assert.Equal(["acme", "sandbox-stripe", "sandbox-bank"], providers.Select(p => p.GetProperty("id").GetString()));
        Assert.Equal(("Acme Pay", "api_key"), (providers[0].GetProperty("name").GetString(), providers[0].GetProperty("auth").GetString()));

        var client = await api.CreateClientAsync();
        var (connectionId, token) = await api.ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"), provider: "acme");
        using (var response = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(token)))
        {
            var connection = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal((connectionId, "acme"), (connection.GetProperty("connection_id").GetString(), connection.GetProperty("provider").GetString()));
        }

        using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            var balance = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.NotEqual(0, balance.GetProperty("data").GetArrayLength());
        }
    }

    [Fact]
    public async Task Bad_entries_stop_start_up_before_the_silo_with_every_key_named()
    {
        var dataDir = TestHost.NewDataDir();
        var error = await Assert.ThrowsAsync<SettingsException>(() => TestHost.StartAsync(dataDir, null, BadAcme, BadStripe));

        Assert.Contains("PayApi:Providers:acme:Kind is \"strype\"; expected one of: stripe, sandbox-bank.", error.Message, StringComparison.Ordinal);
        Assert.Contains("PayApi:Providers:acme:Name is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("PayApi:Providers:stripe:Enabled is \"maybe\"; expected true or false.", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dataDir, "payapi.db")), "the silo must not have started");
    }

    [Fact]
    public async Task The_executable_prints_the_problems_without_a_stack_trace_and_exits_1()
    {
        var directory = TestHost.NewDataDir();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HostProcess.StartAsync(directory, [BadAcme, BadStripe]));
        Assert.Contains($"exited with code {SettingsException.ExitCode}", error.Message, StringComparison.Ordinal);

        var log = string.Concat(Directory.GetFiles(directory, "host-*.log").Select(File.ReadAllText));
        Assert.Contains("  - PayApi:Providers:acme:Kind is \"strype\"; expected one of: stripe, sandbox-bank.", log, StringComparison.Ordinal);
        Assert.Contains("  - PayApi:Providers:stripe:Enabled is \"maybe\"; expected true or false.", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
    }
}
