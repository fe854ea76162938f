using System.Net;
using PayApi.Testing;
using Xunit;

namespace PayApi.Cluster.Tests;

/// <summary>
/// The real host in DynamoDB mode while dynalite is stopped: every call that needs storage answers
/// <c>503 dependency_unavailable</c> with <c>Retry-After</c> (never a 500, never a hang), cached reads of an active
/// connection keep working, and once dynalite is back the last complete state reads back — nothing half-written.
/// </summary>
public sealed class DynamoDBOutageTests
{
    [Fact]
    public async Task While_dynamodb_is_down_calls_answer_503_and_nothing_is_half_written()
    {
        await using var dynalite = await Dynalite.StartAsync();
        await using var host = await StartHostAsync(dynalite, Dynalite.NewTablePrefix());
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (connectionId, token) = await api.ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"));
        var balance = await BalanceAsync(api, token);

        await dynalite.StopAsync();

        // Anything that must read or write storage: a new client, a disconnect, readiness.
        using (var response = await api.SendAsync(HttpMethod.Post, "/admin/v1/clients", ApiClient.Admin(), new { name = "During the outage" }))
        {
            await ExpectUnavailableAsync(response);
        }

        using (var response = await api.SendAsync(HttpMethod.Delete, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            await ExpectUnavailableAsync(response);
        }

        using (var response = await api.SendAsync(HttpMethod.Get, "/readyz", null))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.ServiceUnavailable, "dependency_unavailable");
        }

        await dynalite.RestartAsync();

        // The disconnect that failed changed nothing: the token works and the data is whole.
        Assert.Equal(balance, await BalanceAsync(api, token));
        using (var response = await api.SendAsync(HttpMethod.Get, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            var connection = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal("connected", connection.GetProperty("status").GetString());
        }

        // And it can be done now, completely.
        using (var response = await api.SendAsync(HttpMethod.Delete, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    [Fact]
    public async Task A_disconnect_whose_delete_answer_was_lost_on_its_way_still_completes()
    {
        await using var dynalite = await Dynalite.StartAsync();
        var prefix = Dynalite.NewTablePrefix();
        await using var host = await StartHostAsync(dynalite, prefix);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (connectionId, token) = await api.ConnectAsync(client, "rk_test_" + Guid.NewGuid().ToString("N"), "user-lost");

        // The grain-state delete lands, its answer does not: the SDK's retry meets an item that is already gone.
        await dynalite.SetFaultAsync("lost_answer", 1, "DeleteItem", prefix + "grain-state");
        using (var response = await api.SendAsync(HttpMethod.Delete, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        Assert.Equal(1, (await dynalite.StatsAsync()).Faulted);
        using (var response = await api.SendAsync(HttpMethod.Get, "/v1/connections?end_user_id=user-lost", ApiClient.Basic(client)))
        {
            var only = Assert.Single((await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").EnumerateArray());
            Assert.Equal("disconnected", only.GetProperty("status").GetString()); // the tombstone, and nothing more
        }

        using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    private static Task<TestHost> StartHostAsync(Dynalite dynalite, string tablePrefix) =>
        TestHost.StartAsync(extraArgs:
        [
            "--PayApi:Storage:Provider=DynamoDB",
            "--PayApi:Clustering:Provider=DynamoDB",
            $"--PayApi:DynamoDB:ServiceUrl={dynalite.ServiceUrl}",
            $"--PayApi:DynamoDB:TablePrefix={tablePrefix}",
            "--PayApi:DynamoDB:MaxErrorRetry=2",
            "--PayApi:DynamoDB:RequestTimeout=00:00:02",
            $"--PayApi:Vault:MasterKey={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}",
            "--PayApi:Sandbox:Enabled=true",
        ]);

    private static async Task ExpectUnavailableAsync(HttpResponseMessage response)
    {
        var problem = await ApiClient.ExpectProblemAsync(response, HttpStatusCode.ServiceUnavailable, "dependency_unavailable");
        Assert.True(problem.GetProperty("retryable").GetBoolean());
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
    }

    private static async Task<string> BalanceAsync(ApiClient api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
        return (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("data").GetRawText();
    }
}
