using System.Diagnostics;
using PayApi.Contracts;
using Xunit;

namespace PayApi.Grains.Tests;

/// <summary>A connection as the developer holds it after exchanging the code.</summary>
public sealed record Connected(string ClientId, string EndUserId, string SessionId, string ConnectionId, TokenGrant Grant);

/// <summary>The steps the gateway would take, as plain grain calls.</summary>
public static class Flows
{
    public static string NewGoodKey() => "rk_test_" + Ids.Random(24);

    public static string NewInvalidKey() => "rk_test_invalid" + Ids.Random(12);

    public static string NewEndUser() => "user-" + Ids.Random(8);

    public static async Task<string> NewClientAsync(this GrainClusterFixture f, string name = "Acme")
    {
        var clientId = Ids.NewClientId();
        await f.Client.GetGrain<IClientGrain>(clientId).CreateAsync(name);
        return clientId;
    }

    public static Task<SessionCreated> OpenSessionAsync(this GrainClusterFixture f, string clientId, string endUserId, string? connectionId = null) =>
        f.Client.GetGrain<IClientGrain>(clientId).OpenSessionAsync(new SessionRequest(endUserId, null, null, connectionId), null, "body");

    public static SubmittedCredentials StripeKey(string apiKey) =>
        new(Providers.ProvidersServiceCollectionExtensions.SandboxStripeId, new Dictionary<string, string> { ["api_key"] = apiKey });

    /// <summary>Submits a key and polls (real time) until the background verification has finished.</summary>
    public static async Task<SessionView> SubmitAndWaitAsync(this GrainClusterFixture f, string clientId, string sessionId, string apiKey)
    {
        var session = f.Client.ConnectSession(sessionId);
        Assert.Equal(SessionStatus.Verifying, await session.SubmitCredentialsAsync(StripeKey(apiKey)));
        return await f.WaitSettledAsync(clientId, sessionId);
    }

    public static async Task<SessionView> WaitSettledAsync(this GrainClusterFixture f, string clientId, string sessionId)
    {
        var session = f.Client.ConnectSession(sessionId);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = await session.GetAsync(clientId);
            if (view.Status != SessionStatus.Verifying)
            {
                return view;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"Session {sessionId} still verifying after {clock.Elapsed}.");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Open session, submit a good key, wait for success, exchange the code.</summary>
    public static async Task<Connected> ConnectAsync(
        this GrainClusterFixture f, string clientId, string apiKey, string? endUserId = null, string? connectionId = null)
    {
        endUserId ??= NewEndUser();
        var opened = await f.OpenSessionAsync(clientId, endUserId, connectionId);
        var view = await f.SubmitAndWaitAsync(clientId, opened.SessionId, apiKey);
        Assert.True(view.Status == SessionStatus.Succeeded, $"expected succeeded, got {view.Status} {view.Error}");
        Assert.NotNull(view.Code);
        var exchanged = await f.Client.ConnectSession(opened.SessionId).ExchangeAsync(clientId, view.Code!);
        var grant = new TokenGrant(clientId, exchanged.Generation);

        // A read queues behind the background first fetch: no provider call of this connection outlives the helper.
        await f.Client.GetGrain<IConnectionGrain>(exchanged.ConnectionId).GetBalanceAsync(grant);
        return new Connected(clientId, endUserId, opened.SessionId, exchanged.ConnectionId, grant);
    }

    /// <summary>
    /// Waits until the connection's history is synced whole, moving the grains' clock on by a batch interval each turn
    /// so the backfill's timer fires whichever clock it runs on.
    /// </summary>
    public static async Task<ConnectionView> WaitSyncedAsync(this GrainClusterFixture f, Connected c)
    {
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var view = await connection.GetByTokenAsync(c.Grant);
            if (view.Sync?.State == SyncStates.Synced)
            {
                return view;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"Connection {c.ConnectionId} still {view.Sync?.State} after {clock.Elapsed}.");
            }

            f.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(25);
        }
    }

    public static async Task<PayApiException> AssertCodeAsync(string code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<PayApiException>(call);
        Assert.Equal(code, ex.Code);
        return ex;
    }
}
