using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace PayApi.Testing;

/// <summary>A developer's view of the REST API: the calls the tests make again and again, asserted as they go.</summary>
public sealed class ApiClient(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<(string ClientId, string Secret)> CreateClientAsync(string name = "Acme")
    {
        using var response = await SendAsync(HttpMethod.Post, "/admin/v1/clients", Admin(), new { name });
        var body = await ExpectAsync(response, HttpStatusCode.Created);
        return (body.GetProperty("client_id").GetString()!, body.GetProperty("client_secret").GetString()!);
    }

    public async Task<JsonElement> OpenSessionAsync((string Id, string Secret) client, object body, string? idempotencyKey = null, HttpStatusCode expect = HttpStatusCode.Created)
    {
        using var request = Request(HttpMethod.Post, "/v1/connect/sessions", Basic(client), body);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await http.SendAsync(request);
        return await ExpectAsync(response, expect);
    }

    public async Task<JsonElement> SubmitCredentialsAsync(string sessionId, string provider, object fields, HttpStatusCode expect = HttpStatusCode.Accepted)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/connect/api/{sessionId}/credentials", null, new { provider, fields });
        return await ExpectAsync(response, expect);
    }

    /// <summary>Polls the developer's session view until verification has finished.</summary>
    public async Task<JsonElement> WaitForSessionAsync((string Id, string Secret) client, string sessionId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            using var response = await SendAsync(HttpMethod.Get, $"/v1/connect/sessions/{sessionId}", Basic(client));
            var body = await ExpectAsync(response, HttpStatusCode.OK);
            if (body.GetProperty("status").GetString() != "verifying" || DateTime.UtcNow > deadline)
            {
                return body;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The whole happy path through a Stripe-shaped provider: session, credentials, code, exchange.</summary>
    public async Task<(string ConnectionId, string AccessToken)> ConnectAsync(
        (string Id, string Secret) client, string apiKey, string endUserId = "user-1", string provider = "sandbox-stripe")
    {
        var session = await OpenSessionAsync(client, new { end_user_id = endUserId });
        var sessionId = session.GetProperty("session_id").GetString()!;
        await SubmitCredentialsAsync(sessionId, provider, new { api_key = apiKey });
        var done = await WaitForSessionAsync(client, sessionId);
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        return await ExchangeAsync(client, done.GetProperty("code").GetString()!);
    }

    /// <summary>Waits until the connection's history is synced whole (<c>sync.state</c> is <c>synced</c>).</summary>
    public async Task<JsonElement> WaitSyncedAsync(string token, TimeSpan? timeout = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await SendAsync(HttpMethod.Get, "/v1/connection", Bearer(token));
            var connection = await ExpectAsync(response, HttpStatusCode.OK);
            if (connection.GetProperty("sync").GetProperty("state").GetString() == "synced")
            {
                return connection;
            }

            Assert.True(clock.Elapsed < (timeout ?? TimeSpan.FromMinutes(3)), "the connection's history was not synced in time: " + connection);
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// <c>POST /v1/connection/refresh</c>, which answers <c>202</c> at once, then waits until the refresh running in the
    /// background is over; returns the connection as it then reads (<c>status</c>, <c>error</c>, <c>last_refreshed_at</c>).
    /// </summary>
    public async Task<JsonElement> RefreshAndWaitAsync(string token, TimeSpan? timeout = null)
    {
        using (var response = await SendAsync(HttpMethod.Post, "/v1/connection/refresh", Bearer(token)))
        {
            await ExpectAsync(response, HttpStatusCode.Accepted);
        }

        return await WaitRefreshedAsync(token, timeout);
    }

    /// <summary>Waits until the connection no longer reads <c>refreshing</c>; returns it.</summary>
    public async Task<JsonElement> WaitRefreshedAsync(string token, TimeSpan? timeout = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await SendAsync(HttpMethod.Get, "/v1/connection", Bearer(token));
            var connection = await ExpectAsync(response, HttpStatusCode.OK);
            if (connection.GetProperty("status").GetString() != "refreshing")
            {
                return connection;
            }

            Assert.True(clock.Elapsed < (timeout ?? TimeSpan.FromMinutes(2)), "the refresh did not finish in time: " + connection);
            await Task.Delay(20);
        }
    }

    /// <summary>Pages through <c>/v1/transactions</c> to the end, checking that every page is newest first.</summary>
    public async Task<List<string>> ReadAllTransactionIdsAsync(string token, int pageSize, int max = 100_000)
    {
        var ids = new List<string>();
        DateTimeOffset? previous = null;
        string? cursor = null;
        do
        {
            var path = $"/v1/transactions?limit={pageSize}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await SendAsync(HttpMethod.Get, path, Bearer(token));
            var page = await ExpectAsync(response, HttpStatusCode.OK);
            foreach (var item in page.GetProperty("data").EnumerateArray())
            {
                var date = DateTimeOffset.Parse(item.GetProperty("date").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(previous is null || date <= previous, "transactions must be newest first");
                previous = date;
                ids.Add(item.GetProperty("id").GetString()!);
            }

            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && ids.Count < max);
        return ids;
    }

    public async Task<JsonElement> SubmitMfaAsync(string sessionId, string code, HttpStatusCode expect = HttpStatusCode.Accepted)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/connect/api/{sessionId}/mfa", null, new { code });
        return await ExpectAsync(response, expect);
    }

    /// <summary>Connects a sandbox-bank account, answering MFA with <paramref name="mfaCode"/> when asked.</summary>
    public async Task<(string ConnectionId, string AccessToken)> ConnectBankAsync(
        (string Id, string Secret) client, string username, string password, string endUserId = "user-1", string mfaCode = "123456")
    {
        var sessionId = (await OpenSessionAsync(client, new { end_user_id = endUserId })).GetProperty("session_id").GetString()!;
        await SubmitCredentialsAsync(sessionId, "sandbox-bank", new { username, password });
        var state = await WaitForSessionAsync(client, sessionId);
        if (state.GetProperty("status").GetString() == "awaiting_mfa")
        {
            await SubmitMfaAsync(sessionId, mfaCode);
            state = await WaitForSessionAsync(client, sessionId);
        }

        Assert.True(state.GetProperty("status").GetString() == "succeeded", $"connect did not succeed: {state.GetRawText()}");
        return await ExchangeAsync(client, state.GetProperty("code").GetString()!);
    }

    public async Task<(string ConnectionId, string AccessToken)> ExchangeAsync((string Id, string Secret) client, string code)
    {
        using var response = await SendAsync(HttpMethod.Post, "/v1/connections/exchange", Basic(client), new { code });
        var body = await ExpectAsync(response, HttpStatusCode.OK);
        return (body.GetProperty("connection_id").GetString()!, body.GetProperty("access_token").GetString()!);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? auth, object? body = null) =>
        http.SendAsync(Request(method, path, auth, body));

    public static HttpRequestMessage Request(HttpMethod method, string path, AuthenticationHeaderValue? auth, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = auth;
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    public static AuthenticationHeaderValue Admin() => new("Bearer", TestHost.AdminToken);

    public static AuthenticationHeaderValue Basic((string Id, string Secret) client) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{client.Id}:{client.Secret}")));

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    /// <summary>Asserts the status (showing the body when it differs) and returns the JSON body.</summary>
    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a problem document with the given code and returns it.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await ExpectAsync(response, status);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("request_id").GetString()));
        return body;
    }
}
