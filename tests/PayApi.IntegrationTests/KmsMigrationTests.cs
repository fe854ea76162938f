using System.Net;
using System.Text.Json;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// The move from the embedded local key to KMS, over HTTP against the real host and our loopback KMS driven by the
/// real AWS SDK client: rewrap, a restart with the local key removed, one Decrypt per activated connection whatever
/// the number of reads, and a throttled KMS that fails a cold connection with 503 while a warm one still answers.
/// </summary>
public sealed class KmsMigrationTests
{
    [Fact]
    public async Task Rewrap_moves_every_key_to_kms_and_connections_read_after_the_local_key_is_gone()
    {
        await using var kms = await KmsServer.StartAsync();
        var dataDir = TestHost.NewDataDir();
        var logs = new CapturedLogs();
        string[] kmsArgs = ["--PayApi:Keys:Provider=Kms", $"--PayApi:Kms:KeyId={KmsServer.TestAlias}", $"--PayApi:Kms:ServiceUrl={kms.ServiceUrl}"];
        var connections = new List<(string Id, string Token, string Balance)>();
        (string, string) client;

        // The embedded default: data keys wrapped by the local master key.
        await using (var host = await TestHost.StartAsync(dataDir, logs))
        {
            var api = new ApiClient(host.Http);
            client = await api.CreateClientAsync();
            for (var i = 0; i < 3; i++)
            {
                var (id, token) = await api.ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"), $"user-{i}");
                connections.Add((id, token, await BalanceAsync(api, token)));
            }
        }

        Assert.True(File.Exists(Path.Combine(dataDir, "master.key")));

        // KMS now wraps new keys; the local key still unwraps the old ones until they are moved.
        await using (var host = await TestHost.StartAsync(dataDir, logs, kmsArgs))
        {
            var api = new ApiClient(host.Http);
            var before = await KeysAsync(api);
            Assert.Equal(kms.DefaultKeyArn, before.Single(k => k.Primary).KeyId);
            Assert.Equal(4, before.Single(k => k.KeyId == "local-1").WrappedDataKeys); // three connections and the token key

            using (var response = await api.SendAsync(HttpMethod.Post, "/admin/v1/keys/rewrap", ApiClient.Admin()))
            {
                var report = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
                Assert.Equal(kms.DefaultKeyArn, report.GetProperty("primary_key_id").GetString());
                Assert.Equal(4, report.GetProperty("rewrapped").GetInt64());
            }

            var after = await KeysAsync(api);
            Assert.Equal(4, after.Single(k => k.KeyId == kms.DefaultKeyArn).WrappedDataKeys);
            Assert.Equal(0, after.Single(k => k.KeyId == "local-1").WrappedDataKeys);
            Assert.True(kms.Calls("Encrypt") >= 4, "local keys move to KMS with Encrypt");
        }

        // The local key is removed: only KMS can open anything now.
        File.Delete(Path.Combine(dataDir, "master.key"));
        await using (var host = await TestHost.StartAsync(dataDir, logs, kmsArgs))
        {
            var api = new ApiClient(host.Http);
            var (warmId, warmToken, warmBalance) = connections[0];
            kms.ResetCounts();
            Assert.Equal(warmBalance, await BalanceAsync(api, warmToken));
            var afterFirstRead = kms.Calls("Decrypt");
            Assert.InRange(afterFirstRead, 1, 2); // the connection's data key, and the token key's if not yet opened
            for (var i = 0; i < 25; i++)
            {
                Assert.Equal(warmBalance, await BalanceAsync(api, warmToken));
                using var page = await api.SendAsync(HttpMethod.Get, "/v1/transactions?limit=7", ApiClient.Bearer(warmToken));
                await ApiClient.ExpectAsync(page, HttpStatusCode.OK);
            }

            Assert.Equal(afterFirstRead, kms.Calls("Decrypt")); // one per activation, never per request

            // KMS throttles everything: a cold connection cannot open its key (503, retry later), the warm one reads on.
            var (_, coldToken, coldBalance) = connections[1];
            kms.SetFault("throttle", -1);
            try
            {
                using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(coldToken)))
                {
                    await ApiClient.ExpectProblemAsync(response, HttpStatusCode.ServiceUnavailable, "dependency_unavailable");
                    Assert.NotNull(response.Headers.RetryAfter);
                }

                Assert.Equal(warmBalance, await BalanceAsync(api, warmToken));
            }
            finally
            {
                kms.ClearFaults();
            }

            Assert.Equal(coldBalance, await BalanceAsync(api, coldToken));
            Assert.Equal(connections[2].Balance, await BalanceAsync(api, connections[2].Token));

            // A new connection gets a KMS data key; no local key file comes back.
            var (_, newToken) = await api.ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"), "user-new");
            await BalanceAsync(api, newToken);
            Assert.Equal(5, (await KeysAsync(api)).Single(k => k.KeyId == kms.DefaultKeyArn).WrappedDataKeys);
            Assert.DoesNotContain(warmId, kms.ServiceUrl, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(dataDir, "master.key")));
    }

    private static async Task<string> BalanceAsync(ApiClient api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
        return (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").GetRawText();
    }

    private static async Task<List<(string KeyId, bool Primary, long WrappedDataKeys)>> KeysAsync(ApiClient api)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/admin/v1/keys", ApiClient.Admin());
        return (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray()
            .Select(k => (k.GetProperty("key_id").GetString()!, k.GetProperty("primary").GetBoolean(), k.GetProperty("wrapped_data_keys").GetInt64()))
            .ToList();
    }
}
