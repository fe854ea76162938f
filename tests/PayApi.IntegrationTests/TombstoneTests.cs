using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// A disconnected connection stays visible as a tombstone (<c>status: disconnected</c>, <c>disconnected_at</c>; ids,
/// provider, end-user id and times, nothing else) for <c>PayApi:Grains:TombstoneRetention</c>, then is deleted by its
/// reminder. Its token stays dead; disconnecting again answers the first receipt.
/// </summary>
public sealed class TombstoneTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task A_disconnected_connection_is_a_tombstone_until_its_retention_ends_then_it_is_deleted()
    {
        await using var host = await TestHost.StartAsync(extraArgs: [$"--PayApi:Grains:TombstoneRetention={Retention}"]);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (connectionId, token) = await api.ConnectAsync(client, "rk_test_tombstone01", "user-tomb");
        var (keptId, _) = await api.ConnectAsync(client, "rk_test_tombstone02", "user-tomb");

        JsonElement receipt;
        using (var response = await api.SendAsync(HttpMethod.Delete, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            receipt = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        // Visible, by id and in the list, as a tombstone.
        using (var response = await api.SendAsync(HttpMethod.Get, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            var tombstone = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            Assert.Equal("disconnected", tombstone.GetProperty("status").GetString());
            Assert.Equal(receipt.GetProperty("disconnected_at").GetString(), tombstone.GetProperty("disconnected_at").GetString());
            Assert.Equal(("sandbox-stripe", "user-tomb"), (tombstone.GetProperty("provider").GetString(), tombstone.GetProperty("end_user_id").GetString()));
            Assert.False(tombstone.TryGetProperty("error", out _));
            Assert.False(tombstone.TryGetProperty("sync", out _));
            Assert.Equal(0, tombstone.GetProperty("capabilities").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, tombstone.GetProperty("next_refresh_at").ValueKind);
        }

        Assert.Equal(
            new[] { (connectionId, "disconnected"), (keptId, "connected") }.OrderBy(c => c.Item1, StringComparer.Ordinal).ToList(),
            (await ListAsync(api, client)).OrderBy(c => c.Id, StringComparer.Ordinal).ToList());

        // Its token reads nothing, and a second disconnect answers the same receipt.
        foreach (var path in new[] { "/v1/connection", "/v1/balance", "/v1/transactions" })
        {
            using var response = await api.SendAsync(HttpMethod.Get, path, ApiClient.Bearer(token));
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using (var response = await api.SendAsync(HttpMethod.Post, "/v1/disconnect", ApiClient.Bearer(token)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        using (var response = await api.SendAsync(HttpMethod.Delete, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            Assert.Equal(receipt.GetRawText(), (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetRawText());
        }

        // The admin view counts it no longer as active.
        using (var response = await api.SendAsync(HttpMethod.Get, $"/admin/v1/clients/{client.ClientId}", ApiClient.Admin()))
        {
            Assert.Equal(1, (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("active_connections").GetInt32());
        }

        // After the retention the reminder deletes the tombstone on its own: watched in the database, with no API call
        // that could delete it on the way.
        var database = Path.Combine(host.DataDir, "payapi.db");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await TombstoneRowsAsync(database, connectionId) > 0)
        {
            Assert.True(clock.Elapsed < Retention + TimeSpan.FromSeconds(60), "the tombstone was not deleted after its retention");
            await Task.Delay(200);
        }

        using (var response = await api.SendAsync(HttpMethod.Get, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        }

        using (var response = await api.SendAsync(HttpMethod.Delete, $"/v1/connections/{connectionId}", ApiClient.Basic(client)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        }

        Assert.Equal([(keptId, "connected")], await ListAsync(api, client));
        Assert.Equal(0, await CountAsync(database, "SELECT COUNT(*) FROM orleans_reminders WHERE instr(grain_id, $id) > 0 AND reminder_name = 'tombstone'", connectionId));
    }

    private static async Task<List<(string Id, string Status)>> ListAsync(ApiClient api, (string ClientId, string Secret) client)
    {
        using var response = await api.SendAsync(HttpMethod.Get, "/v1/connections?end_user_id=user-tomb", ApiClient.Basic(client));
        var list = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        return list.GetProperty("data").EnumerateArray()
            .Select(c => (c.GetProperty("connection_id").GetString()!, c.GetProperty("status").GetString()!))
            .ToList();
    }

    private static Task<long> TombstoneRowsAsync(string database, string connectionId) =>
        CountAsync(database, "SELECT COUNT(*) FROM orleans_grain_state WHERE instr(grain_id, $id) > 0 AND state_name = 'tombstone'", connectionId);

    private static async Task<long> CountAsync(string database, string sql, string connectionId)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", connectionId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
