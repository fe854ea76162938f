using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>The whole developer journey over HTTP against the real host, across a restart and a disconnect.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Connect_read_restart_and_disconnect_leave_nothing_behind()
    {
        var canary = "rk_test_CANARY" + Guid.NewGuid().ToString("N");
        var logs = new CapturedLogs();
        var dataDir = TestHost.NewDataDir();
        (string, string) client;
        string connectionId, token;
        JsonElement firstBalance;
        List<string> allTransactionIds;

        await using (var host = await TestHost.StartAsync(dataDir, logs))
        {
            var api = new ApiClient(host.Http);
            client = await api.CreateClientAsync();
            (connectionId, token) = await api.ConnectAsync(client, canary, "end-user-42");
            Assert.StartsWith("con_", connectionId);
            Assert.Equal(3, token.Split('.').Length);

            using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
            {
                firstBalance = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            }

            Assert.True(firstBalance.GetProperty("cached").GetBoolean(), "the connect-time fetch should serve the first read from cache");
            Assert.NotEmpty(firstBalance.GetProperty("data").EnumerateArray());
            var balance = firstBalance.GetProperty("data")[0];
            Assert.Matches("^[a-z]{3}$", balance.GetProperty("currency").GetString());
            Assert.Equal(JsonValueKind.Number, balance.GetProperty("available").ValueKind);

            allTransactionIds = await api.ReadAllTransactionIdsAsync(token, pageSize: 50);
            Assert.True(allTransactionIds.Count >= 120, $"expected at least 120 transactions, got {allTransactionIds.Count}");
            Assert.Equal(allTransactionIds.Count, allTransactionIds.Distinct().Count());

            using (var response = await api.SendAsync(HttpMethod.Get, "/v1/payouts?limit=5", ApiClient.Bearer(token)))
            {
                var payouts = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
                Assert.Equal(5, payouts.GetProperty("data").GetArrayLength());
                Assert.StartsWith("po_", payouts.GetProperty("data")[0].GetProperty("id").GetString());
                Assert.NotNull(payouts.GetProperty("next_cursor").GetString());
            }

            using (var response = await api.SendAsync(HttpMethod.Get, "/v1/connections?end_user_id=end-user-42", ApiClient.Basic(client)))
            {
                var list = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
                var only = Assert.Single(list.GetProperty("data").EnumerateArray());
                Assert.Equal(connectionId, only.GetProperty("connection_id").GetString());
                Assert.Equal("connected", only.GetProperty("status").GetString());
                Assert.Equal("sandbox-stripe", only.GetProperty("provider").GetString());
            }
        }

        // Same data dir, new process state: token, connection and cache must all survive. (Tombstones kept 5 s, not 30 days.)
        await using (var host = await TestHost.StartAsync(dataDir, logs, "--PayApi:Grains:TombstoneRetention=00:00:05"))
        {
            var api = new ApiClient(host.Http);
            using (var response = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(token)))
            {
                var connection = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
                Assert.Equal(connectionId, connection.GetProperty("connection_id").GetString());
                Assert.Equal("end-user-42", connection.GetProperty("end_user_id").GetString());
            }

            using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
            {
                var balance = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
                Assert.True(balance.GetProperty("cached").GetBoolean(), "the encrypted cache should survive the restart");
                Assert.Equal(firstBalance.GetProperty("fetched_at").GetString(), balance.GetProperty("fetched_at").GetString());
                Assert.Equal(firstBalance.GetProperty("data").GetRawText(), balance.GetProperty("data").GetRawText());
            }

            Assert.Equal(allTransactionIds, await api.ReadAllTransactionIdsAsync(token, pageSize: 500));

            await api.RefreshAndWaitAsync(token);

            using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
            {
                var balance = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
                Assert.NotEqual(firstBalance.GetProperty("fetched_at").GetString(), balance.GetProperty("fetched_at").GetString());
            }

            using (var response = await api.SendAsync(HttpMethod.Post, "/v1/disconnect", ApiClient.Bearer(token)))
            {
                var receipt = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
                Assert.Equal(connectionId, receipt.GetProperty("connection_id").GetString());
                Assert.Equal(["credentials", "cookies", "cache", "data_key"], receipt.GetProperty("wiped").EnumerateArray().Select(e => e.GetString()));
            }

            foreach (var path in new[] { "/v1/connection", "/v1/balance", "/v1/transactions" })
            {
                using var response = await api.SendAsync(HttpMethod.Get, path, ApiClient.Bearer(token));
                await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
            }

            // The tombstone (status disconnected) answers until its retention ends, then the connection is gone.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                using var response = await api.SendAsync(HttpMethod.Get, $"/v1/connections/{connectionId}", ApiClient.Basic(client));
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    await ApiClient.ExpectProblemAsync(response, HttpStatusCode.NotFound, "not_found");
                    break;
                }

                Assert.Equal("disconnected", (await ApiClient.ExpectAsync(response, HttpStatusCode.OK)).GetProperty("status").GetString());
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the tombstone outlived its retention");
                await Task.Delay(100);
            }
        }

        // The connection's rows, wrapped key and ciphertexts are gone from the files, not only from the API.
        AssertNoRowMentions(Path.Combine(dataDir, "payapi.db"), connectionId);
        AssertNoRowMentions(Path.Combine(dataDir, "keys.db"), connectionId);
        AssertNoRowMentions(Path.Combine(dataDir, "provider-data.db"), connectionId);
        foreach (var file in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            // payapi.db held the tombstone (the id, and nothing secret) for its retention; its rows are gone (checked
            // above), but a b-tree page of the deleted key may keep the id's bytes until SQLite reuses the page.
            Assert.False(
                Contains(bytes, connectionId) && !Path.GetFileName(file).StartsWith("payapi.db", StringComparison.Ordinal),
                $"{Path.GetFileName(file)} still holds the connection id after disconnect");
            Assert.False(Contains(bytes, canary), $"{Path.GetFileName(file)} holds the canary key");
        }

        Assert.DoesNotContain(canary, logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(token, logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(client.Item2, logs.All, StringComparison.Ordinal);
    }

    private static void AssertNoRowMentions(string databasePath, string needle)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.NotEmpty(tables);
        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                // The client's webhook events name the connection by id (connected, disconnected), by design, for their
                // 30 days (SECURITY.md, "Webhooks"); nothing else may.
                if (Enumerable.Range(0, reader.FieldCount).Any(i => reader.GetName(i) == "state_name" && reader.GetValue(i) is "webhookEvent"))
                {
                    continue;
                }

                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    var text = value switch
                    {
                        byte[] b => Encoding.UTF8.GetString(b),
                        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    };
                    Assert.DoesNotContain(needle, text, StringComparison.Ordinal);
                }
            }
        }
    }

    private static bool Contains(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    [Fact]
    public async Task A_connection_whose_data_key_was_lost_is_repaired_under_a_new_key()
    {
        var dataDir = TestHost.NewDataDir();
        (string Id, string Secret) client;
        string connectionId, token;
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            client = await api.CreateClientAsync();
            (connectionId, token) = await api.ConnectAsync(client, "rk_test_lostkey01");

            // As if keys.db came back from a backup older than this connection.
            Assert.True(await host.Service<PayApi.Vault.IDataKeyStore>().DeleteAsync(connectionId, CancellationToken.None));
        }

        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            // Accepted at once; the refresh finds no key, and the connection says the end-user must reconnect.
            var refreshed = await api.RefreshAndWaitAsync(token);
            Assert.Equal("login_required", refreshed.GetProperty("error").GetProperty("code").GetString());

            using (var refresh = await api.SendAsync(HttpMethod.Post, "/v1/connection/refresh", ApiClient.Bearer(token)))
            {
                await ApiClient.ExpectProblemAsync(refresh, HttpStatusCode.Conflict, "login_required");
            }

            using (var connection = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(token)))
            {
                Assert.Equal("login_required", (await ApiClient.ExpectAsync(connection, HttpStatusCode.OK)).GetProperty("status").GetString());
            }

            var sessionId = (await api.OpenSessionAsync(client, new { end_user_id = "user-1", connection_id = connectionId })).GetProperty("session_id").GetString()!;
            await api.SubmitCredentialsAsync(sessionId, "sandbox-stripe", new { api_key = "rk_test_lostkey02" });
            var session = await api.WaitForSessionAsync(client, sessionId);
            Assert.Equal("succeeded", session.GetProperty("status").GetString());
            Assert.Equal(connectionId, (await api.ExchangeAsync(client, session.GetProperty("code").GetString()!)).ConnectionId);

            using (var balance = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token)))
            {
                await ApiClient.ExpectAsync(balance, HttpStatusCode.OK);
            }

            Assert.NotNull(await host.Service<PayApi.Vault.IDataKeyStore>().GetAsync(connectionId, CancellationToken.None));
        }
    }
}
