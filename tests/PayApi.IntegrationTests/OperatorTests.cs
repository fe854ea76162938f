using System.Net;
using PayApi.Host;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>Operator endpoints, probes and start-up validation.</summary>
public sealed class OperatorTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private ApiClient Api => fixture.Api;

    [Fact]
    public async Task Key_rotation_and_rewrap_move_every_data_key_to_the_new_version()
    {
        var client = await Api.CreateClientAsync();
        var (_, token) = await Api.ConnectAsync(client, "rk_test_rotation01");

        string newKeyId;
        using (var response = await Api.SendAsync(HttpMethod.Post, "/admin/v1/keys/rotate", ApiClient.Admin()))
        {
            var rotated = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            newKeyId = rotated.GetProperty("key_id").GetString()!;
            Assert.True(rotated.GetProperty("primary").GetBoolean());
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/admin/v1/keys", ApiClient.Admin()))
        {
            var keys = (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();
            Assert.True(keys.Count >= 2);
            Assert.True(keys.Where(k => k.GetProperty("key_id").GetString() != newKeyId).Sum(k => k.GetProperty("wrapped_data_keys").GetInt64()) >= 1);
        }

        using (var response = await Api.SendAsync(HttpMethod.Post, "/admin/v1/keys/rewrap", ApiClient.Admin()))
        {
            var report = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal(newKeyId, report.GetProperty("primary_key_id").GetString());
            Assert.True(report.GetProperty("rewrapped").GetInt64() >= 1);
        }

        using (var response = await Api.SendAsync(HttpMethod.Get, "/admin/v1/keys", ApiClient.Admin()))
        {
            var keys = (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();
            Assert.All(keys.Where(k => k.GetProperty("key_id").GetString() != newKeyId), k => Assert.Equal(0, k.GetProperty("wrapped_data_keys").GetInt64()));
        }

        // Data still decrypts for the connection after its key moved.
        var refreshed = await Api.RefreshAndWaitAsync(token);
        Assert.Equal("connected", refreshed.GetProperty("status").GetString());
        Assert.False(refreshed.TryGetProperty("error", out _), refreshed.GetRawText());
    }

    [Fact]
    public async Task Rewrap_also_moves_the_token_signing_key_and_tokens_survive_a_restart()
    {
        var dataDir = TestHost.NewDataDir();
        string token, oldKeyId;
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            var client = await api.CreateClientAsync();
            (_, token) = await api.ConnectAsync(client, "rk_test_tokenkey01");

            // Before rotation: one connection data key and the signing key, both under the first version.
            using (var response = await api.SendAsync(HttpMethod.Get, "/admin/v1/keys", ApiClient.Admin()))
            {
                var first = Assert.Single((await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
                oldKeyId = first.GetProperty("key_id").GetString()!;
                Assert.Equal(2, first.GetProperty("wrapped_data_keys").GetInt64());
            }

            using (var response = await api.SendAsync(HttpMethod.Post, "/admin/v1/keys/rotate", ApiClient.Admin()))
            {
                await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            }

            using (var response = await api.SendAsync(HttpMethod.Post, "/admin/v1/keys/rewrap", ApiClient.Admin()))
            {
                Assert.Equal(2, (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("rewrapped").GetInt64());
            }

            using (var response = await api.SendAsync(HttpMethod.Get, "/admin/v1/keys", ApiClient.Admin()))
            {
                var keys = (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();
                Assert.Equal(0, keys.Single(k => k.GetProperty("key_id").GetString() == oldKeyId).GetProperty("wrapped_data_keys").GetInt64());
            }
        }

        // A new process opens the signing key from its new wrapping: the token issued before still works.
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            using var response = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(token));
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Probes_and_openapi_answer_without_credentials()
    {
        foreach (var path in new[] { "/healthz", "/readyz", "/openapi/v1.json" })
        {
            using var response = await Api.SendAsync(HttpMethod.Get, path, null);
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        using var admin = await Api.SendAsync(HttpMethod.Get, "/admin/v1/keys", null);
        await ApiClient.ExpectProblemAsync(admin, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("--PayApi:Storage:Provider=Postgres", "PayApi:Storage:Provider")]
    [InlineData("--PayApi:Vault:MasterKey=not-base64!", "PayApi:Vault:MasterKey")]
    [InlineData("--PayApi:AdminToken=short", "PayApi:AdminToken")]
    [InlineData("--PayApi:Orleans:SiloPort=70000", "PayApi:Orleans:SiloPort")]
    [InlineData("--PayApi:RateLimit:Burst=0", "PayApi:RateLimit:Burst")]
    [InlineData("--PayApi:Scraper:Proxies:0=not a url", "PayApi:Scraper:Proxies")]
    [InlineData("--PayApi:Network:TrustedProxies:0=lb.internal", "PayApi:Network:TrustedProxies")]
    public async Task Bad_settings_stop_start_up_with_a_message_naming_the_key(string setting, string key)
    {
        // Our own settings fail as SettingsException, option classes of other parts as OptionsValidationException.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestHost.StartAsync(extraArgs: [setting]));
        Assert.True(error is SettingsException or Microsoft.Extensions.Options.OptionsValidationException, error.ToString());
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_configured_admin_token_one_is_generated_owner_only()
    {
        var dataDir = TestHost.NewDataDir();
        var app = await PayApiApp.BuildAsync(["--urls", "http://127.0.0.1:0", $"--PayApi:DataDir={dataDir}", "--PayApi:Orleans:SiloPort=0", "--PayApi:Orleans:GatewayPort=0"]);
        await app.DisposeAsync();
        var path = Path.Combine(dataDir, "admin.token");
        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.True((await File.ReadAllTextAsync(path)).Trim().Length >= 32);
    }

    [Fact]
    public async Task Every_file_in_the_data_dir_is_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var dataDir = TestHost.NewDataDir();
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            var client = await api.CreateClientAsync();
            await api.ConnectAsync(client, "rk_test_filemodes01");

            // While running too: the -wal and -shm files exist only now.
            var files = Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories);
            Assert.Contains(files, f => f.EndsWith("payapi.db-wal", StringComparison.Ordinal));
            AssertOwnerOnly(files);
        }

        AssertOwnerOnly(Directory.GetFiles(dataDir, "*", SearchOption.AllDirectories));
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void AssertOwnerOnly(string[] files)
    {
        var others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            UnixFileMode mode;
            try
            {
                mode = File.GetUnixFileMode(file);
            }
            catch (FileNotFoundException)
            {
                continue; // a -wal or -shm file SQLite removed after the listing
            }

            Assert.True((mode & others) == 0, $"{Path.GetFileName(file)} is {mode}");
        }
    }
}
