using System.Net;
using System.Text;
using PayApi.Testing;
using Xunit;

namespace PayApi.Cluster.Tests;

/// <summary>
/// The production layout on loopback parts: two host processes on dynalite (state, reminders, data keys, provider
/// data), our KMS server (data keys, the token key, failure bundles) and s3rver (failure bundles, large provider data
/// chunks). The embedded lifecycle over HTTP across both gateways, with a canary key that must turn up nowhere.
/// </summary>
public sealed class AwsModeTests
{
    [Fact]
    public async Task The_lifecycle_runs_on_dynamodb_kms_and_s3_and_leaves_no_canary_and_no_chunk()
    {
        var canary = "rk_test_history3000xCANARY" + Guid.NewGuid().ToString("N");
        await using var cluster = await ClusterProcesses.StartDynaliteAsync();
        await using var s3 = await S3rver.StartAsync();
        await using var kms = await KmsServer.StartAsync();
        var bucket = S3rver.NewBucketName();
        string[] aws =
        [
            "--PayApi:Keys:Provider=Kms", $"--PayApi:Kms:KeyId={KmsServer.TestAlias}", $"--PayApi:Kms:ServiceUrl={kms.ServiceUrl}",
            "--PayApi:Artifacts:Provider=S3", $"--PayApi:Artifacts:Bucket={bucket}", $"--PayApi:S3:ServiceUrl={s3.ServiceUrl}", "--PayApi:S3:CreateBucket=true",
            "--PayApi:Sync:BatchInterval=00:00:00.050",
        ];
        var a = await cluster.StartAsync("a", null, aws);
        var b = await cluster.StartAsync("b", null, aws);
        var apiA = new ApiClient(a.Http);
        var apiB = new ApiClient(b.Http);

        var client = await apiA.CreateClientAsync();
        var (connectionId, token) = await apiA.ConnectAsync(client, canary, "end-user-aws");
        await apiB.WaitSyncedAsync(token); // the history beyond the first pages is backfilled in the background
        var balance = await BalanceAsync(apiB, token);
        Assert.Equal(balance, await BalanceAsync(apiA, token));
        var ids = await apiB.ReadAllTransactionIdsAsync(token, pageSize: 250);
        Assert.Equal(3_000, ids.Count);
        Assert.Equal(ids, await apiA.ReadAllTransactionIdsAsync(token, pageSize: 500));

        // The history's large chunks are S3 objects beside the failure bundles; the data keys are KMS's.
        var chunkFolder = Path.GetDirectoryName(s3.ObjectFile(bucket, $"provider-data/{connectionId}/x"))!;
        Assert.True(Directory.Exists(chunkFolder) && Directory.EnumerateFiles(chunkFolder).Any(), "large chunks should be S3 objects");
        using (var response = await apiB.SendAsync(HttpMethod.Get, "/admin/v1/keys", ApiClient.Admin()))
        {
            var keys = (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray().ToList();
            var primary = Assert.Single(keys, k => k.GetProperty("primary").GetBoolean());
            Assert.Equal(kms.DefaultKeyArn, primary.GetProperty("key_id").GetString());
            Assert.Equal(2, primary.GetProperty("wrapped_data_keys").GetInt64()); // the connection's and the token key's
        }

        await apiB.RefreshAndWaitAsync(token);

        Assert.Equal(ids, await apiA.ReadAllTransactionIdsAsync(token, pageSize: 500));

        // A web login that meets an unexpected page keeps its bundle in S3, sealed under a KMS data key, readable
        // through the other process.
        var sessionId = (await apiB.OpenSessionAsync(client, new { end_user_id = "u-flaky" })).GetProperty("session_id").GetString()!;
        await apiB.SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username = "user_flaky", password = "pass_good" });
        var failed = await apiB.WaitForSessionAsync(client, sessionId);
        Assert.Equal("unexpected_provider_response", failed.GetProperty("error").GetProperty("code").GetString());
        string bundleId, bundleConnection;
        using (var response = await apiA.SendAsync(HttpMethod.Get, "/admin/v1/failure-bundles", ApiClient.Admin()))
        {
            var bundle = Assert.Single((await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
            bundleId = bundle.GetProperty("bundle_id").GetString()!;
            bundleConnection = bundle.GetProperty("connection_id").GetString()!;
        }

        var bundleFile = s3.ObjectFile(bucket, $"artifacts/bundles/{bundleConnection}/{bundleId}.bundle");
        Assert.Contains("\"kms1:", await File.ReadAllTextAsync(bundleFile), StringComparison.Ordinal);
        using (var response = await apiA.SendAsync(HttpMethod.Get, $"/admin/v1/connections/{bundleConnection}/failure-bundles/{bundleId}", ApiClient.Admin()))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        using (var response = await apiA.SendAsync(HttpMethod.Post, "/v1/disconnect", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        using (var response = await apiB.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        Assert.False(Directory.Exists(chunkFolder) && Directory.EnumerateFiles(chunkFolder, "*", SearchOption.AllDirectories).Any(), "chunks left in S3");

        // The canary is nowhere: not in dynalite's files, not in the bucket, not in either process's log.
        var needle = Encoding.UTF8.GetBytes(canary);
        foreach (var folder in new[] { cluster.Dynalite.DataPath, s3.DataPath })
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0, $"the canary is in {file}");
            }
        }

        Assert.DoesNotContain(canary, cluster.AllLogs(), StringComparison.Ordinal);
    }

    private static async Task<string> BalanceAsync(ApiClient api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
        return (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").GetRawText();
    }
}
