using System.Net;
using Microsoft.Data.Sqlite;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>A connection with years of history, over HTTP on the embedded default: paged through whole, then wiped.</summary>
public sealed class HistoryTests
{
    [Fact]
    public async Task Twenty_thousand_transactions_page_through_over_http_and_disconnect_leaves_no_chunk()
    {
        var dataDir = TestHost.NewDataDir();
        await using var host = await TestHost.StartAsync(dataDir, new CapturedLogs(), "--PayApi:Sync:BatchInterval=00:00:00.020");
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        // The sandbox gives a key with "history<N>" in it N charges, spread over decades.
        var (connectionId, token) = await api.ConnectAsync(client, "rk_test_history20000x" + Guid.NewGuid().ToString("N")[..12]);
        await api.WaitSyncedAsync(token);

        var ids = await api.ReadAllTransactionIdsAsync(token, pageSize: 500);
        Assert.Equal(20_000, ids.Count);
        Assert.Equal(20_000, ids.Distinct().Count());

        // The data lives as chunks apart from grain state: many small rows, not one 3 MB value.
        Assert.True(ChunkCount(dataDir, connectionId) > 20);
        Assert.True(new FileInfo(Path.Combine(dataDir, "payapi.db")).Length < 1024 * 1024);

        using (var response = await api.SendAsync(HttpMethod.Post, "/v1/disconnect", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        Assert.Equal(0, ChunkCount(dataDir, connectionId));
    }

    private static long ChunkCount(string dataDir, string connectionId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "provider-data.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM chunks WHERE connection_id = $id";
        command.Parameters.AddWithValue("$id", connectionId);
        return (long)command.ExecuteScalar()!;
    }
}
