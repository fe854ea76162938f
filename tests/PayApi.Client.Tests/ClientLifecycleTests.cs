using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PayApi.Testing;
using Xunit;

namespace PayApi.Client.Tests;

/// <summary>
/// The .NET client against a running host (silo, gateway, sandbox providers), registered through IHttpClientFactory:
/// the whole lifecycle of a connection, paging, typed errors, and a 429 waited out as its Retry-After says.
/// </summary>
public sealed class ClientLifecycleTests : IAsyncLifetime
{
    private TestHost? _host;
    private ServiceProvider? _services;

    private TestHost Host => _host!;

    public async Task InitializeAsync() =>
        // Sandbox refreshes spaced by 2 s, so a second refresh soon after the first is answered 429 with Retry-After.
        _host = await TestHost.StartAsync(extraArgs: ["--PayApi:Sandbox:MinRefreshInterval=00:00:02"]);

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private (PayApiClient Client, RecordingHandler Recorder) NewClient((string Id, string Secret) credentials, Action<PayApiClientOptions>? more = null)
    {
        var recorder = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddPayApiClient(o =>
        {
            o.BaseAddress = Host.BaseAddress;
            o.ClientId = credentials.Id;
            o.ClientSecret = credentials.Secret;
            more?.Invoke(o);
        }).AddHttpMessageHandler(() => recorder);
        _services = services.BuildServiceProvider();
        return (_services.GetRequiredService<PayApiClient>(), recorder);
    }

    [Fact]
    public async Task A_connection_from_session_to_disconnect()
    {
        var credentials = await new ApiClient(Host.Http).CreateClientAsync("Client library");
        var (client, recorder) = NewClient(credentials);

        var providers = await client.GetProvidersAsync();
        Assert.Contains(providers, p => p.Id == "sandbox-stripe" && p.Auth == "api_key" && p.Fields.Any(f => f.Name == "api_key" && f.Secret));

        var session = await client.CreateConnectSessionAsync(new ConnectSessionRequest("user-7") { Providers = ["sandbox-stripe"] });
        Assert.StartsWith("cs_", session.SessionId);
        Assert.EndsWith("/connect/" + session.SessionId, session.ConnectUrl.AbsoluteUri);
        Assert.NotNull(recorder.Exchanges.Single(e => e.Path == "/v1/connect/sessions").IdempotencyKey); // generated when not given

        // The end-user's part, in the browser: the Connect page's JSON calls.
        await new ApiClient(Host.Http).SubmitCredentialsAsync(session.SessionId, "sandbox-stripe", new { api_key = "rk_test_clientlib42" });
        var done = await client.WaitForConnectSessionAsync(session.SessionId);
        var exchanged = await client.ExchangeCodeAsync(done.EnsureSucceeded());
        Assert.StartsWith("con_", exchanged.ConnectionId);

        var connection = client.ForConnection(exchanged.AccessToken);
        var balance = await connection.GetBalanceAsync();
        Assert.NotEmpty(balance.Data);
        Assert.All(balance.Data, b => Assert.Equal(b.Currency.ToLowerInvariant(), b.Currency));

        // Paging: every transaction through IAsyncEnumerable, many pages, the same list the raw API pages out.
        await WaitSyncedAsync(connection);
        var before = recorder.Exchanges.Count(e => e.Path == "/v1/transactions");
        var transactions = new List<Transaction>();
        await foreach (var transaction in connection.ListTransactionsAsync(new TransactionQuery { PageSize = 25 }))
        {
            transactions.Add(transaction);
        }

        var pages = recorder.Exchanges.Count(e => e.Path == "/v1/transactions") - before;
        Assert.True(transactions.Count > 25, $"only {transactions.Count} transactions");
        Assert.Equal((transactions.Count + 24) / 25, pages, tolerance: 1);
        Assert.Equal(transactions.Count, transactions.Select(t => t.Id).Distinct().Count());
        Assert.Equal(transactions.OrderByDescending(t => t.Date).Select(t => t.Date), transactions.Select(t => t.Date));
        Assert.Equal(await new ApiClient(Host.Http).ReadAllTransactionIdsAsync(exchanged.AccessToken, 100), transactions.Select(t => t.Id).ToList());

        var payouts = new List<Payout>();
        await foreach (var payout in connection.ListPayoutsAsync(pageSize: 7))
        {
            payouts.Add(payout);
        }

        Assert.True(payouts.Count > 7, $"only {payouts.Count} payouts");

        // The developer's view of the same connection.
        var listed = await client.ListConnectionsAsync("user-7");
        Assert.Equal(exchanged.ConnectionId, Assert.Single(listed).ConnectionId);
        Assert.Equal("sandbox-stripe", (await client.GetConnectionAsync(exchanged.ConnectionId)).Provider);
        Assert.Equal(exchanged.ConnectionId, (await connection.GetConnectionAsync()).ConnectionId);

        await connection.RefreshAsync();

        var receipt = await connection.DisconnectAsync();
        Assert.Equal(exchanged.ConnectionId, receipt.ConnectionId);
        Assert.Contains("credentials", receipt.Wiped);

        var gone = await Assert.ThrowsAsync<PayApiException>(() => connection.GetBalanceAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, gone.Status);
        Assert.Equal(PayApiErrorCodes.Unauthorized, gone.Code);
        Assert.Equal("developer", gone.Actor);
        Assert.False(gone.Retryable);
        Assert.False(string.IsNullOrEmpty(gone.RequestId));
        Assert.Single(recorder.Exchanges, e => e.Path == "/v1/balance" && e.Status == HttpStatusCode.Unauthorized); // not retried

        var missing = await Assert.ThrowsAsync<PayApiException>(() => client.GetConnectionAsync("con_doesnotexist"));
        Assert.Equal(PayApiErrorCodes.NotFound, missing.Code);
    }

    [Fact]
    public async Task A_rejected_key_is_a_typed_invalid_credentials_error()
    {
        var credentials = await new ApiClient(Host.Http).CreateClientAsync("Client library");
        var (client, _) = NewClient(credentials);
        var session = await client.CreateConnectSessionAsync(new ConnectSessionRequest("user-8"), idempotencyKey: "retry-safe-key-1");
        Assert.Equal(session.SessionId, (await client.CreateConnectSessionAsync(new ConnectSessionRequest("user-8"), idempotencyKey: "retry-safe-key-1")).SessionId);

        await new ApiClient(Host.Http).SubmitCredentialsAsync(session.SessionId, "sandbox-stripe", new { api_key = "rk_test_invalid123" });
        var attempt = await client.WaitForConnectSessionAsync(session.SessionId);

        Assert.Equal(PayApiErrorCodes.InvalidCredentials, attempt.Error?.Code);
        var error = Assert.Throws<PayApiException>(() => attempt.EnsureSucceeded());
        Assert.Equal(PayApiErrorCodes.InvalidCredentials, error.Code);
        Assert.Equal("user", error.Actor);
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.False(error.Retryable);
        Assert.DoesNotContain("rk_test_invalid123", error.Message, StringComparison.Ordinal);

        // Another body under the same idempotency key: a conflict problem, raised typed, not retried.
        var conflict = await Assert.ThrowsAsync<PayApiException>(() => client.CreateConnectSessionAsync(new ConnectSessionRequest("user-9"), idempotencyKey: "retry-safe-key-1"));
        Assert.Equal(PayApiErrorCodes.Conflict, conflict.Code);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
    }

    [Fact]
    public async Task A_429_is_retried_after_its_Retry_After()
    {
        var credentials = await new ApiClient(Host.Http).CreateClientAsync("Client library");
        var (client, recorder) = NewClient(credentials);
        var (_, token) = await new ApiClient(Host.Http).ConnectAsync(credentials, "rk_test_retrylater1", "user-10");
        var connection = client.ForConnection(token);

        await connection.RefreshAsync(); // may itself wait out the spacing from the connect's own fetch
        var firstDone = recorder.Exchanges.Last(e => e.Path == "/v1/connection/refresh");
        Assert.Equal(HttpStatusCode.Accepted, firstDone.Status);

        // The refresh runs past its 202; a second request while it runs joins it (202 again). Once it has finished,
        // the next one comes too soon and is paced.
        var waiting = Stopwatch.StartNew();
        while ((await connection.GetConnectionAsync()).Status == "refreshing")
        {
            Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(30), "the refresh did not finish");
            await Task.Delay(20);
        }

        var clock = Stopwatch.StartNew();
        await connection.RefreshAsync();
        clock.Stop();

        var second = recorder.Exchanges.Where(e => e.Path == "/v1/connection/refresh" && e.At > firstDone.At).ToList();
        Assert.True(second.Count >= 2, "the second refresh was not answered 429 first: " + string.Join(", ", second.Select(e => e.Status)));
        var limited = second[0];
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.NotNull(limited.RetryAfter);
        Assert.Equal(HttpStatusCode.Accepted, second[^1].Status);
        Assert.True(second[1].At - limited.At >= limited.RetryAfter!.Value - TimeSpan.FromMilliseconds(50),
            $"retried after {(second[1].At - limited.At).TotalMilliseconds} ms, Retry-After was {limited.RetryAfter}");
        Assert.True(clock.Elapsed >= limited.RetryAfter.Value - TimeSpan.FromMilliseconds(50));

        // With retries off the same answer is raised, typed, with its Retry-After.
        var (noRetries, _) = NewClient(credentials, o => o.MaxRetries = 0);
        var error = await Assert.ThrowsAsync<PayApiException>(() => noRetries.ForConnection(token).RefreshAsync());
        Assert.Equal(PayApiErrorCodes.RateLimited, error.Code);
        Assert.Equal(HttpStatusCode.TooManyRequests, error.Status);
        Assert.True(error.Retryable);
        Assert.NotNull(error.RetryAfter);
        Assert.True(error.RetryAfter > TimeSpan.Zero);

        // A Retry-After longer than the client's bound is not waited for.
        var (impatient, _) = NewClient(credentials, o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(100));
        var bounded = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<PayApiException>(() => impatient.ForConnection(token).RefreshAsync());
        Assert.Equal(PayApiErrorCodes.RateLimited, refused.Code);
        Assert.True(bounded.Elapsed < TimeSpan.FromSeconds(1));
    }

    private static async Task WaitSyncedAsync(PayApiConnection connection)
    {
        var clock = Stopwatch.StartNew();
        while ((await connection.GetConnectionAsync()).Sync?.State != "synced")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "the connection's history was not synced in time");
            await Task.Delay(100);
        }
    }
}
