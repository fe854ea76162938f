using PayApi.Contracts;
using Xunit;

namespace PayApi.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class ConnectSessionGrainTests(GrainClusterFixture f)
{
    [Fact]
    public async Task Session_expires_after_30_minutes()
    {
        var clientId = await f.NewClientAsync();
        var opened = await f.OpenSessionAsync(clientId, Flows.NewEndUser());
        var session = f.Client.ConnectSession(opened.SessionId);
        Assert.Equal(f.Time.GetUtcNow() + TimeSpan.FromMinutes(30), opened.ExpiresAt);

        Assert.Equal(SessionStatus.Pending, (await session.GetForEndUserAsync()).Status);
        f.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(SessionStatus.Pending, (await session.GetAsync(clientId)).Status);

        f.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await Flows.AssertCodeAsync(ErrorCodes.SessionExpired, () => session.GetForEndUserAsync());
        await Flows.AssertCodeAsync(ErrorCodes.SessionExpired, () => session.SubmitCredentialsAsync(Flows.StripeKey(Flows.NewGoodKey())));
        Assert.Equal(SessionStatus.Expired, (await session.GetAsync(clientId)).Status);
    }

    [Fact]
    public async Task Another_client_sees_not_found()
    {
        var clientId = await f.NewClientAsync();
        var otherClientId = await f.NewClientAsync();
        var opened = await f.OpenSessionAsync(clientId, Flows.NewEndUser());
        var session = f.Client.ConnectSession(opened.SessionId);

        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => session.GetAsync(otherClientId));
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => session.ExchangeAsync(otherClientId, opened.SessionId + ".x"));
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => f.Client.ConnectSession(Ids.NewSessionId()).GetAsync(clientId));
        Assert.Equal(opened.SessionId, (await session.GetAsync(clientId)).SessionId);
    }

    [Fact]
    public async Task Five_failed_attempts_fail_the_session_for_good()
    {
        var clientId = await f.NewClientAsync();
        var opened = await f.OpenSessionAsync(clientId, Flows.NewEndUser());
        var session = f.Client.ConnectSession(opened.SessionId);

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var view = await f.SubmitAndWaitAsync(clientId, opened.SessionId, Flows.NewInvalidKey());
            Assert.Equal(SessionStatus.Pending, view.Status);
            Assert.Equal(ErrorCodes.InvalidCredentials, view.Error?.Code);
            Assert.Null(view.Code);
        }

        var last = await f.SubmitAndWaitAsync(clientId, opened.SessionId, Flows.NewInvalidKey());
        Assert.Equal(SessionStatus.Failed, last.Status);
        Assert.Equal(ErrorCodes.InvalidCredentials, last.Error?.Code);

        // Final: even a good key is no longer taken, and the status does not turn into "expired".
        await Flows.AssertCodeAsync(ErrorCodes.Conflict, () => session.SubmitCredentialsAsync(Flows.StripeKey(Flows.NewGoodKey())));
        f.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(SessionStatus.Failed, (await session.GetAsync(clientId)).Status);
    }

    [Fact]
    public async Task Write_capable_key_is_refused_but_can_be_fixed()
    {
        var clientId = await f.NewClientAsync();
        var opened = await f.OpenSessionAsync(clientId, Flows.NewEndUser());

        var refused = await f.SubmitAndWaitAsync(clientId, opened.SessionId, "sk_test_" + Ids.Random(24));
        Assert.Equal(SessionStatus.Pending, refused.Status);
        Assert.Equal(ErrorCodes.InsufficientKeyScope, refused.Error?.Code);

        var fixedView = await f.SubmitAndWaitAsync(clientId, opened.SessionId, Flows.NewGoodKey());
        Assert.Equal(SessionStatus.Succeeded, fixedView.Status);
        Assert.Null(fixedView.Error);
    }

    [Fact]
    public async Task Wrong_key_then_good_key_succeeds_and_the_code_exchanges_once()
    {
        var clientId = await f.NewClientAsync();
        var endUserId = Flows.NewEndUser();
        var client = f.Client.GetGrain<IClientGrain>(clientId);
        var opened = await client.OpenSessionAsync(new SessionRequest(endUserId, null, "https://app.example/done?x=1", null), null, "h");
        var session = f.Client.ConnectSession(opened.SessionId);

        var wrong = await f.SubmitAndWaitAsync(clientId, opened.SessionId, Flows.NewInvalidKey());
        Assert.Equal(SessionStatus.Pending, wrong.Status);
        Assert.Equal(ErrorCodes.InvalidCredentials, wrong.Error?.Code);
        Assert.Empty(await client.ListConnectionsAsync(endUserId));

        var ok = await f.SubmitAndWaitAsync(clientId, opened.SessionId, Flows.NewGoodKey());
        Assert.Equal(SessionStatus.Succeeded, ok.Status);
        Assert.Equal("sandbox-stripe", ok.Provider);
        Assert.Null(ok.Error);
        Assert.NotNull(ok.Code);

        var page = await session.GetForEndUserAsync();
        Assert.Equal(SessionStatus.Succeeded, page.Status);
        Assert.Equal(
            $"https://app.example/done?x=1&code={Uri.EscapeDataString(ok.Code!)}&session_id={opened.SessionId}",
            page.RedirectTo);

        await Flows.AssertCodeAsync(ErrorCodes.InvalidRequest, () => session.ExchangeAsync(clientId, ok.Code + "x"));
        var exchanged = await session.ExchangeAsync(clientId, ok.Code!);
        Assert.StartsWith(Ids.ConnectionPrefix, exchanged.ConnectionId, StringComparison.Ordinal);
        Assert.Equal(1, exchanged.Generation);
        Assert.Equal([new OwnedConnection(exchanged.ConnectionId, endUserId)], await client.ListConnectionsAsync(endUserId));

        await Flows.AssertCodeAsync(ErrorCodes.InvalidRequest, () => session.ExchangeAsync(clientId, ok.Code!));
        Assert.Null((await session.GetAsync(clientId)).Code);

        // Spent also after the session is reloaded from storage.
        await f.Cluster.DeactivateAsync(session.Grain);
        await Flows.AssertCodeAsync(ErrorCodes.InvalidRequest, () => session.ExchangeAsync(clientId, ok.Code!));
    }

    [Fact]
    public async Task Code_is_dead_after_10_minutes()
    {
        var clientId = await f.NewClientAsync();
        var opened = await f.OpenSessionAsync(clientId, Flows.NewEndUser());
        var session = f.Client.ConnectSession(opened.SessionId);
        var ok = await f.SubmitAndWaitAsync(clientId, opened.SessionId, Flows.NewGoodKey());
        Assert.NotNull(ok.Code);

        f.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(ok.Code, (await session.GetAsync(clientId)).Code);

        f.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var view = await session.GetAsync(clientId);
        Assert.Equal(SessionStatus.Succeeded, view.Status);
        Assert.Null(view.Code);
        await Flows.AssertCodeAsync(ErrorCodes.InvalidRequest, () => session.ExchangeAsync(clientId, ok.Code!));
    }
}

[Collection(GrainClusterCollection.Name)]
public sealed class ConnectSessionCleanupTests(GrainClusterFixture f)
{
    [Fact]
    public async Task An_expired_session_still_reads_expired_for_a_day_then_is_deleted()
    {
        var clientId = await f.NewClientAsync();
        var opened = await f.OpenSessionAsync(clientId, Flows.NewEndUser());
        var session = f.Client.ConnectSession(opened.SessionId);

        // The cleanup reminder first fires when the session and any code are past use: the record stays.
        f.Time.Advance(TimeSpan.FromMinutes(41));
        await FireCleanupAsync(session);
        Assert.Equal(SessionStatus.Expired, (await session.GetAsync(clientId)).Status);

        f.Time.Advance(TimeSpan.FromHours(23));
        await FireCleanupAsync(session);
        Assert.Equal(SessionStatus.Expired, (await session.GetAsync(clientId)).Status);

        // A day after expiry it is gone.
        f.Time.Advance(TimeSpan.FromHours(1));
        await FireCleanupAsync(session);
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => session.GetAsync(clientId));
    }

    [Fact]
    public async Task A_succeeded_session_keeps_its_status_but_not_its_unredeemed_code()
    {
        var clientId = await f.NewClientAsync();
        var opened = await f.OpenSessionAsync(clientId, Flows.NewEndUser());
        var done = await f.SubmitAndWaitAsync(clientId, opened.SessionId, Flows.NewGoodKey());
        Assert.Equal(SessionStatus.Succeeded, done.Status);
        Assert.NotNull(done.Code);
        var session = f.Client.ConnectSession(opened.SessionId);

        // The code is derived when shown, never stored; what it is derived from is erased with the cleanup.
        Assert.Equal(0, await Files.StatePayloadsMentioningAsync(f.DatabasePath, done.Code!));
        f.Time.Advance(TimeSpan.FromMinutes(41));
        await FireCleanupAsync(session);

        await f.Cluster.DeactivateAsync(session.Grain);
        var later = await session.GetAsync(clientId);
        Assert.Equal(SessionStatus.Succeeded, later.Status);
        Assert.Null(later.Code);
        await Flows.AssertCodeAsync(ErrorCodes.InvalidRequest, () => session.ExchangeAsync(clientId, done.Code!));
    }

    private static Task FireCleanupAsync(ConnectSession session) =>
        session.Grain.AsReference<Orleans.IRemindable>().ReceiveReminder("cleanup", new Orleans.Runtime.TickStatus(DateTime.UtcNow, TimeSpan.FromHours(1), DateTime.UtcNow));
}

[Collection(GrainClusterCollection.Name)]
public sealed class ConnectSessionAtRestTests(GrainClusterFixture f)
{
    [Fact]
    public async Task Session_ids_and_unredeemed_codes_reach_no_file_of_the_data_dir()
    {
        var clientId = await f.NewClientAsync();
        var client = f.Client.GetGrain<IClientGrain>(clientId);
        var request = new SessionRequest(Flows.NewEndUser(), null, "https://app.example/done", null);
        var idempotencyKey = "idem-" + Ids.Random(12);
        var keyed = await client.OpenSessionAsync(request, idempotencyKey, "hash-a");
        var plain = await f.OpenSessionAsync(clientId, Flows.NewEndUser());
        var done = await f.SubmitAndWaitAsync(clientId, keyed.SessionId, Flows.NewGoodKey());
        Assert.Equal(SessionStatus.Succeeded, done.Status);
        var code = done.Code!;
        Assert.StartsWith(keyed.SessionId + ".", code, StringComparison.Ordinal);
        Assert.Equal(keyed.SessionId, done.SessionId);

        var files = Files.AllFilesUnder(f.DataDir).ToList();
        Assert.Contains(files, p => p.EndsWith("payapi.db", StringComparison.Ordinal));
        Assert.NotEmpty(Files.FilesContaining(files, clientId)); // control: the scan finds what is stored in clear
        Assert.NotEmpty(Files.FilesContaining(files, Ids.SessionKey(keyed.SessionId))); // the grain key is there instead
        foreach (var secret in new[] { keyed.SessionId, plain.SessionId, code, code[(code.IndexOf('.', StringComparison.Ordinal) + 1)..], idempotencyKey })
        {
            Assert.Empty(Files.FilesContaining(files, secret));
        }

        // Everything that finds sessions still does: the page, the idempotent replay, the exchange, the disconnect.
        var page = await f.Client.ConnectSession(keyed.SessionId).GetForEndUserAsync();
        Assert.Equal($"https://app.example/done?code={Uri.EscapeDataString(code)}&session_id={keyed.SessionId}", page.RedirectTo);
        Assert.Equal(keyed, await client.OpenSessionAsync(request, idempotencyKey, "hash-a"));
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => f.Client.ConnectSession(plain.SessionId).GetAsync(Ids.NewClientId()));
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => f.Client.GetGrain<IConnectSessionGrain>(Ids.SessionKey(plain.SessionId)).GetAsync(clientId, Ids.NewSessionId()));
        var exchanged = await f.Client.ConnectSession(keyed.SessionId).ExchangeAsync(clientId, code);
        await f.Client.GetGrain<IConnectionGrain>(exchanged.ConnectionId).DisconnectAsync(clientId);
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => f.Client.ConnectSession(keyed.SessionId).GetAsync(clientId));
        Assert.Equal(0, await Files.StateRowsForAsync(f.DatabasePath, Ids.SessionKey(keyed.SessionId)));
    }
}
