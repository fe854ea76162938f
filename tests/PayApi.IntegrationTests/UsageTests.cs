using System.Globalization;
using System.Net;
using System.Text.Json;
using PayApi.Contracts;
using PayApi.Gateway.Usage;
using PayApi.Testing;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>
/// Usage metering end to end: calls with access tokens are counted in memory and flushed to the per-client, per-month
/// records; <c>GET /v1/usage</c> shows a developer their own, <c>GET /admin/v1/usage</c> every client's as JSON and CSV.
/// </summary>
public sealed class UsageTests
{
    // Short, so a test sees a flush within a second; the default is 10 s.
    private static readonly string[] FastFlush = ["--PayApi:Usage:FlushInterval=00:00:00.200"];

    private static string ThisMonth => UsageMonth.Of(DateTimeOffset.UtcNow).ToString();

    [Fact]
    public async Task Token_calls_are_counted_by_endpoint_and_other_clients_never_see_them()
    {
        await using var host = await TestHost.StartAsync(extraArgs: FastFlush);
        var api = new ApiClient(host.Http);
        var alice = await api.CreateClientAsync("Alice");
        var bob = await api.CreateClientAsync("Bob");
        var (_, token) = await api.ConnectAsync(alice, "rk_test_usage" + Guid.NewGuid().ToString("N")[..12]);

        for (var i = 0; i < 7; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        for (var i = 0; i < 3; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Get, "/v1/transactions?limit=5", ApiClient.Bearer(token));
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        // A call with a token that is not ours is nobody's usage.
        using (var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token[..^4] + "AAAA")))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }

        var usage = await WaitForCallsAsync(api, alice, 10);
        Assert.Equal(alice.ClientId, usage.GetProperty("client_id").GetString());
        Assert.Equal(ThisMonth, usage.GetProperty("month").GetString());
        Assert.Equal(1, usage.GetProperty("active_connections").GetInt32());
        var items = usage.GetProperty("line_items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("endpoint").GetString()!, i => i.GetProperty("api_calls").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["GET /v1/balance"] = 7, ["GET /v1/transactions"] = 3 }, items);

        // Bob's usage is his own: nothing of Alice's.
        var bobs = await GetUsageAsync(api, bob, null);
        Assert.Equal(bob.ClientId, bobs.GetProperty("client_id").GetString());
        Assert.Equal(0, bobs.GetProperty("api_calls").GetInt64());
        Assert.Equal(0, bobs.GetProperty("active_connections").GetInt32());
        Assert.Empty(bobs.GetProperty("line_items").EnumerateArray());
    }

    [Fact]
    public async Task A_disconnected_connection_still_counts_in_its_month_and_months_are_validated()
    {
        await using var host = await TestHost.StartAsync(extraArgs: FastFlush);
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (_, first) = await api.ConnectAsync(client, "rk_test_usageA" + Guid.NewGuid().ToString("N")[..10], "user-a");
        await api.ConnectAsync(client, "rk_test_usageB" + Guid.NewGuid().ToString("N")[..10], "user-b");
        using (var response = await api.SendAsync(HttpMethod.Post, "/v1/disconnect", ApiClient.Bearer(first)))
        {
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        var usage = await GetUsageAsync(api, client, ThisMonth);
        Assert.Equal(2, usage.GetProperty("active_connections").GetInt32());

        // A month before the client existed: nothing; a malformed or future month: a clear 400.
        var before = await GetUsageAsync(api, client, "2020-01");
        Assert.Equal(0, before.GetProperty("active_connections").GetInt32());
        Assert.Equal(0, before.GetProperty("api_calls").GetInt64());
        foreach (var month in new[] { "2026-13", "26-11", "2026-1", "abcd-ef", UsageMonth.Of(DateTimeOffset.UtcNow).Next.ToString() })
        {
            using var response = await api.SendAsync(HttpMethod.Get, $"/v1/usage?month={month}", ApiClient.Basic(client));
            var problem = await ApiClient.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
            Assert.Contains("month", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Usage is a developer's (Basic) or an operator's call, not an end-user token's.
        using (var response = await api.SendAsync(HttpMethod.Get, "/v1/usage", ApiClient.Bearer(first)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    [Fact]
    public async Task A_restart_loses_no_counted_call_because_shutdown_flushes()
    {
        var dataDir = TestHost.NewDataDir();
        (string ClientId, string Secret) client;
        string token;
        // The default interval: without the flush at shutdown these calls would still be only in memory.
        await using (var host = await TestHost.StartAsync(dataDir))
        {
            var api = new ApiClient(host.Http);
            client = await api.CreateClientAsync();
            (_, token) = await api.ConnectAsync(client, "rk_test_usageR" + Guid.NewGuid().ToString("N")[..10]);
            for (var i = 0; i < 5; i++)
            {
                using var response = await api.SendAsync(HttpMethod.Get, "/v1/connection", ApiClient.Bearer(token));
                await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            }
        }

        await using (var host = await TestHost.StartAsync(dataDir, extraArgs: FastFlush))
        {
            var api = new ApiClient(host.Http);
            for (var i = 0; i < 2; i++)
            {
                using var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
                await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
            }

            var usage = await WaitForCallsAsync(api, client, 7);
            var items = usage.GetProperty("line_items").EnumerateArray()
                .ToDictionary(i => i.GetProperty("endpoint").GetString()!, i => i.GetProperty("api_calls").GetInt64());
            Assert.Equal(5, items["GET /v1/connection"]);
            Assert.Equal(2, items["GET /v1/balance"]);
        }
    }

    [Fact]
    public async Task The_operator_export_as_csv_parses_and_adds_up_to_the_json()
    {
        await using var host = await TestHost.StartAsync(extraArgs: FastFlush);
        var api = new ApiClient(host.Http);
        var acme = await api.CreateClientAsync("Acme, Inc. \"the best\"");
        var formula = await api.CreateClientAsync("=HYPERLINK(\"x\")");
        var (_, token) = await api.ConnectAsync(acme, "rk_test_usageC" + Guid.NewGuid().ToString("N")[..10]);
        for (var i = 0; i < 4; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Get, "/v1/payouts", ApiClient.Bearer(token));
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        await WaitForCallsAsync(api, acme, 4);

        JsonElement json;
        using (var response = await api.SendAsync(HttpMethod.Get, $"/admin/v1/usage?month={ThisMonth}", ApiClient.Admin()))
        {
            json = await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        string csv;
        using (var request = ApiClient.Request(HttpMethod.Get, $"/admin/v1/usage?month={ThisMonth}", ApiClient.Admin()))
        {
            request.Headers.Accept.ParseAdd("text/csv");
            using var response = await api.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
            csv = await response.Content.ReadAsStringAsync();
        }

        var rows = ParseCsv(csv);
        Assert.Equal(["client_id", "name", "month", "api_calls", "active_connections"], rows[0]);
        var byClient = rows.Skip(1).ToDictionary(r => r[0]);
        var fromJson = json.GetProperty("data").EnumerateArray().ToDictionary(d => d.GetProperty("client_id").GetString()!);
        Assert.Equal(fromJson.Keys.Order(), byClient.Keys.Order());
        foreach (var (clientId, row) in byClient)
        {
            Assert.Equal(fromJson[clientId].GetProperty("api_calls").GetInt64(), long.Parse(row[3], CultureInfo.InvariantCulture));
            Assert.Equal(fromJson[clientId].GetProperty("active_connections").GetInt32(), int.Parse(row[4], CultureInfo.InvariantCulture));
            Assert.Equal(ThisMonth, row[2]);
        }

        Assert.Equal(json.GetProperty("data").EnumerateArray().Sum(d => d.GetProperty("api_calls").GetInt64()), byClient.Values.Sum(r => long.Parse(r[3], CultureInfo.InvariantCulture)));
        Assert.Equal("Acme, Inc. \"the best\"", byClient[acme.ClientId][1]);
        Assert.Equal(4, long.Parse(byClient[acme.ClientId][3], CultureInfo.InvariantCulture));
        // A name that a spreadsheet would run as a formula is shown as text.
        Assert.Equal("'=HYPERLINK(\"x\")", byClient[formula.ClientId][1]);

        using (var response = await api.SendAsync(HttpMethod.Get, "/admin/v1/usage", ApiClient.Basic(acme)))
        {
            await ApiClient.ExpectProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        }
    }

    [Fact]
    public async Task A_failed_flush_is_kept_and_sent_again_without_counting_twice()
    {
        await using var host = await TestHost.StartAsync();
        var api = new ApiClient(host.Http);
        var client = await api.CreateClientAsync();
        var (_, token) = await api.ConnectAsync(client, "rk_test_usageF" + Guid.NewGuid().ToString("N")[..10]);
        for (var i = 0; i < 3; i++)
        {
            using var response = await api.SendAsync(HttpMethod.Get, "/v1/balance", ApiClient.Bearer(token));
            await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
        }

        // The same flush delivered twice (a reply lost after the record applied it) counts once.
        var grains = host.Service<IGrainFactory>();
        var record = grains.GetGrain<IClientUsageGrain>(UsageKeys.ClientMonth(client.ClientId, UsageMonth.Of(DateTimeOffset.UtcNow)));
        var flusher = host.Service<UsageFlusher>();
        await flusher.FlushAsync();
        var replayed = new UsageFlush(host.Service<UsageMeter>().MeterId, 1, new Dictionary<string, long> { ["GET /v1/balance"] = 3 });
        await record.RecordAsync(replayed);
        Assert.Equal(3, (await record.GetCallsAsync()).Total);
    }

    private static async Task<JsonElement> WaitForCallsAsync(ApiClient api, (string ClientId, string Secret) client, long expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var usage = await GetUsageAsync(api, client, null);
            var calls = usage.GetProperty("api_calls").GetInt64();
            if (calls == expected)
            {
                return usage;
            }

            Assert.True(calls < expected, $"counted {calls} calls, more than the {expected} made");
            Assert.True(DateTime.UtcNow < deadline, $"usage showed {calls} of {expected} calls after 30 s");
            await Task.Delay(50);
        }
    }

    private static async Task<JsonElement> GetUsageAsync(ApiClient api, (string ClientId, string Secret) client, string? month)
    {
        using var response = await api.SendAsync(HttpMethod.Get, month is null ? "/v1/usage" : $"/v1/usage?month={month}", ApiClient.Basic(client));
        return await ApiClient.ExpectAsync(response, HttpStatusCode.OK);
    }

    // RFC 4180: quoted fields may hold commas, doubled quotes and line breaks.
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }
}
