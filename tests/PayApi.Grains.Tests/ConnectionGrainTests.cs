using System.Text;
using PayApi.Contracts;
using Xunit;

namespace PayApi.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class ConnectionGrainTests(GrainClusterFixture f)
{
    private static readonly ListQuery FirstPage = new(10, null, null, null);

    [Fact]
    public async Task Repair_in_place_keeps_id_and_token_and_serves_the_new_accounts_data()
    {
        var clientId = await f.NewClientAsync();
        var first = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(first.ConnectionId);
        var before = await connection.GetBalanceAsync(first.Grant);
        var beforeTx = await connection.GetTransactionsAsync(first.Grant, FirstPage);

        var repaired = await f.ConnectAsync(clientId, Flows.NewGoodKey(), first.EndUserId, first.ConnectionId);
        Assert.Equal(first.ConnectionId, repaired.ConnectionId);
        Assert.Equal(first.Grant, repaired.Grant);

        // The token the developer already holds keeps working, and now reads the other account.
        var view = await connection.GetByTokenAsync(first.Grant);
        Assert.Equal(ConnectionStatus.Connected, view.Status);
        Assert.Equal(first.EndUserId, view.EndUserId);
        var after = await connection.GetBalanceAsync(first.Grant);
        var afterTx = await connection.GetTransactionsAsync(first.Grant, FirstPage);
        Assert.NotEqual(before.Data, after.Data);
        Assert.NotEqual(beforeTx.Data[0].Id, afterTx.Data[0].Id);

        // No duplicate connection.
        var owned = await f.Client.GetGrain<IClientGrain>(clientId).ListConnectionsAsync(first.EndUserId);
        Assert.Equal([new OwnedConnection(first.ConnectionId, first.EndUserId)], owned);

        // The repaired credentials are what is stored: a fresh activation still reads the new account.
        await f.Cluster.DeactivateAsync(connection);
        f.Time.Advance(TimeSpan.FromMinutes(16));
        var reloaded = await connection.GetBalanceAsync(first.Grant);
        Assert.False(reloaded.Cached);
        Assert.Equal(after.Data, reloaded.Data);
    }

    [Fact]
    public async Task Failed_repair_leaves_the_connection_as_it_was()
    {
        var clientId = await f.NewClientAsync();
        var first = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(first.ConnectionId);
        var before = await connection.GetBalanceAsync(first.Grant);

        var opened = await f.OpenSessionAsync(clientId, first.EndUserId, first.ConnectionId);
        var refused = await f.SubmitAndWaitAsync(clientId, opened.SessionId, Flows.NewInvalidKey());
        Assert.Equal(SessionStatus.Pending, refused.Status);
        Assert.Equal(ErrorCodes.InvalidCredentials, refused.Error?.Code);

        Assert.Equal(ConnectionStatus.Connected, (await connection.GetByTokenAsync(first.Grant)).Status);
        Assert.Equal(before.Data, (await connection.GetBalanceAsync(first.Grant)).Data);
    }

    [Fact]
    public async Task Token_of_another_client_or_generation_is_unauthorized()
    {
        var clientId = await f.NewClientAsync();
        var otherClientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);

        Assert.Equal(c.ConnectionId, (await connection.GetByTokenAsync(c.Grant)).ConnectionId);
        Assert.Equal(c.ConnectionId, (await connection.GetAsync(clientId)).ConnectionId);

        var otherClient = new TokenGrant(otherClientId, c.Grant.Generation);
        var staleGeneration = c.Grant with { Generation = c.Grant.Generation + 1 };
        foreach (var bad in new[] { otherClient, staleGeneration, c.Grant with { Generation = 0 } })
        {
            await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetByTokenAsync(bad));
            await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetBalanceAsync(bad));
            await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetTransactionsAsync(bad, FirstPage));
            await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetPayoutsAsync(bad, FirstPage));
            await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.RefreshAsync(bad));
            await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.DisconnectByTokenAsync(bad));
        }

        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => connection.GetAsync(otherClientId));
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => connection.DisconnectAsync(otherClientId));
        await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => f.Client.GetGrain<IConnectionGrain>(Ids.NewConnectionId()).GetByTokenAsync(c.Grant));

        // Still intact after all that.
        Assert.Equal(ConnectionStatus.Connected, (await connection.GetByTokenAsync(c.Grant)).Status);
    }

    [Fact]
    public async Task Disconnect_shreds_state_and_data_key()
    {
        var clientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);
        await connection.GetBalanceAsync(c.Grant);

        var wrapped = (string?)await Files.ScalarAsync(
            f.KeysPath, "SELECT wrapped FROM data_keys WHERE connection_id = $id", ("$id", c.ConnectionId));
        Assert.False(string.IsNullOrEmpty(wrapped));
        Assert.NotEmpty(Files.FilesContaining(Files.DatabaseFiles(f.KeysPath), wrapped!)); // control for the byte scan below
        Assert.Equal(1, await Files.StateRowsForAsync(f.DatabasePath, c.ConnectionId));
        Assert.Equal(1, await Files.StateRowsForAsync(f.DatabasePath, Ids.SessionKey(c.SessionId)));
        Assert.Equal(1, await Files.CountAsync(
            f.DatabasePath, "SELECT COUNT(*) FROM orleans_reminders WHERE instr(grain_id, $id) > 0", ("$id", c.ConnectionId)));

        var receipt = await connection.DisconnectAsync(clientId);
        Assert.Equal(c.ConnectionId, receipt.ConnectionId);
        Assert.Equal(["cache", "cookies", "credentials", "data_key"], receipt.Wiped.Order(StringComparer.Ordinal));
        Assert.Equal(f.Time.GetUtcNow(), receipt.DisconnectedAt);

        // The rows are gone from both files...
        Assert.Equal(0, await Files.CountAsync(
            f.KeysPath, "SELECT COUNT(*) FROM data_keys WHERE connection_id = $id", ("$id", c.ConnectionId)));
        Assert.Equal(0, await Files.CountAsync(
            f.KeysPath, "SELECT COUNT(*) FROM data_keys WHERE wrapped = $w", ("$w", wrapped!)));
        // What stays is the tombstone (its own row: ids, provider, end-user id, times), the client's list entry naming
        // it, and the reminder that deletes the tombstone when its retention ends.
        // ...and the client's webhook events (connection.connected, connection.disconnected), which name the connection
        // by id only, by design, and are deleted after 30 days (docs/webhooks.md).
        Assert.Equal(0, await Files.CountAsync(
            f.DatabasePath, "SELECT COUNT(*) FROM orleans_grain_state WHERE instr(grain_id, $id) > 0 AND state_name <> 'tombstone'", ("$id", c.ConnectionId)));
        Assert.Equal(1, await Files.CountAsync(
            f.DatabasePath, "SELECT COUNT(*) FROM orleans_grain_state WHERE instr(grain_id, $id) > 0 AND state_name = 'tombstone'", ("$id", c.ConnectionId)));
        Assert.Equal(0, await Files.StateRowsForAsync(f.DatabasePath, Ids.SessionKey(c.SessionId)));
        Assert.Equal(0, await Files.CountAsync(
            f.DatabasePath, "SELECT COUNT(*) FROM orleans_grain_state WHERE instr(payload, $id) > 0 AND state_name NOT IN ('client', 'webhookEvent')", ("$id", Encoding.UTF8.GetBytes(c.ConnectionId))));
        Assert.Equal(0, await Files.CountAsync(
            f.DatabasePath, "SELECT COUNT(*) FROM orleans_reminders WHERE instr(grain_id, $id) > 0 AND reminder_name <> 'tombstone'", ("$id", c.ConnectionId)));

        // ...and the wrapped key's bytes are not left behind anywhere (freed pages, WAL).
        Assert.Empty(Files.FilesContaining(Files.AllFilesUnder(f.DataDir), wrapped!));

        // The token answers nothing any more; the developer sees a tombstone, and disconnecting again repeats the receipt.
        await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetByTokenAsync(c.Grant));
        await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetBalanceAsync(c.Grant));
        var tombstone = await connection.GetAsync(clientId);
        Assert.Equal((ConnectionStatus.Disconnected, receipt.DisconnectedAt), (tombstone.Status, tombstone.DisconnectedAt));
        Assert.Equal(c.EndUserId, tombstone.EndUserId);
        Assert.Null(tombstone.Error);
        Assert.Equal(receipt.DisconnectedAt, (await connection.DisconnectAsync(clientId)).DisconnectedAt);
        var stranger = await f.NewClientAsync();
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => connection.GetAsync(stranger));
        Assert.Equal([c.ConnectionId], (await f.Client.GetGrain<IClientGrain>(clientId).ListConnectionsAsync(null)).Select(o => o.ConnectionId));
        Assert.Equal(0, (await f.Client.GetGrain<IClientGrain>(clientId).GetAsync())!.ActiveConnections);
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => f.OpenSessionAsync(clientId, c.EndUserId, c.ConnectionId));
    }

    [Fact]
    public async Task Pending_repair_session_cannot_revive_a_disconnected_connections_token()
    {
        var clientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);

        // The developer opened a repair session, then disconnected before the end-user finished it.
        var repair = await f.OpenSessionAsync(clientId, c.EndUserId, c.ConnectionId);
        await connection.DisconnectAsync(clientId);
        await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetByTokenAsync(c.Grant));

        SessionView? settled = null;
        try
        {
            settled = await f.SubmitAndWaitAsync(clientId, repair.SessionId, Flows.NewGoodKey());
        }
        catch (PayApiException ex) when (ex.Code is ErrorCodes.NotFound or ErrorCodes.SessionExpired or ErrorCodes.Conflict)
        {
            // Refusing the submission outright is a fine outcome.
        }

        // docs/api.md: after disconnect the access token gets 401, for good.
        await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetByTokenAsync(c.Grant));
        await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetBalanceAsync(c.Grant));
        Assert.NotEqual(SessionStatus.Succeeded, settled?.Status);
    }

    [Fact]
    public async Task Disconnect_by_token_works_once()
    {
        var clientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);

        var receipt = await connection.DisconnectByTokenAsync(c.Grant);
        Assert.Equal(["cache", "cookies", "credentials", "data_key"], receipt.Wiped.Order(StringComparer.Ordinal));
        await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.DisconnectByTokenAsync(c.Grant));
        await Flows.AssertCodeAsync(ErrorCodes.Unauthorized, () => connection.GetTransactionsAsync(c.Grant, FirstPage));
        Assert.Equal(0, await Files.CountAsync(
            f.KeysPath, "SELECT COUNT(*) FROM data_keys WHERE connection_id = $id", ("$id", c.ConnectionId)));
    }

    [Fact]
    public async Task Reads_are_cached_until_the_provider_ttl_passes()
    {
        var clientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);

        var first = await connection.GetBalanceAsync(c.Grant);
        var second = await connection.GetBalanceAsync(c.Grant);
        Assert.True(second.Cached);
        Assert.Equal(first.FetchedAt, second.FetchedAt);
        Assert.Equal(first.Data, second.Data);
        var requests = f.Sandbox.StripeRequestCount;
        Assert.True((await connection.GetTransactionsAsync(c.Grant, FirstPage)).Cached);
        Assert.True((await connection.GetPayoutsAsync(c.Grant, FirstPage)).Cached);
        Assert.Equal(requests, f.Sandbox.StripeRequestCount);

        // A new activation decrypts the stored cache rather than calling the provider.
        await f.Cluster.DeactivateAsync(connection);
        var reloaded = await connection.GetBalanceAsync(c.Grant);
        Assert.True(reloaded.Cached);
        Assert.Equal(first.FetchedAt, reloaded.FetchedAt);
        Assert.Equal(requests, f.Sandbox.StripeRequestCount);

        f.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.True((await connection.GetBalanceAsync(c.Grant)).Cached);

        f.Time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var stale = await connection.GetBalanceAsync(c.Grant);
        Assert.False(stale.Cached);
        Assert.Equal(f.Time.GetUtcNow(), stale.FetchedAt);
        Assert.True(f.Sandbox.StripeRequestCount > requests);
        Assert.True((await connection.GetBalanceAsync(c.Grant)).Cached);

        // An explicit refresh fetches now and the next reads serve that.
        f.Time.Advance(TimeSpan.FromMinutes(1));
        await connection.RefreshAsync(c.Grant);
        var refreshed = await connection.GetBalanceAsync(c.Grant);
        Assert.True(refreshed.Cached);
        Assert.Equal(f.Time.GetUtcNow(), refreshed.FetchedAt);
        Assert.Equal(f.Time.GetUtcNow(), (await connection.GetByTokenAsync(c.Grant)).LastRefreshedAt);
    }

    [Fact]
    public async Task Transactions_page_newest_first_through_the_cursor()
    {
        var clientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);

        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await connection.GetTransactionsAsync(c.Grant, new ListQuery(50, cursor, null, null));
            ids.AddRange(page.Data.Select(t => t.Id));
            Assert.True(page.Data.Zip(page.Data.Skip(1)).All(p => p.First.Date >= p.Second.Date));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        // The sandbox account has 130 charges, more than one Stripe page of 100.
        Assert.Equal(130, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Parallel_refreshes_share_one_provider_fetch_and_the_next_waits_for_the_providers_interval()
    {
        var clientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);
        await f.WaitSyncedAsync(c);

        // Every refresh of a Stripe-shaped connection reads the balance once.
        var balanceReads = f.Sandbox.StripeRequestsTo("/v1/balance");
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => connection.RefreshAsync(c.Grant)));
        Assert.Equal(balanceReads + 1, f.Sandbox.StripeRequestsTo("/v1/balance"));

        // Right after, the next is refused with when it may come; no request reaches the provider.
        f.Time.Advance(TimeSpan.FromSeconds(3));
        var tooSoon = await Flows.AssertCodeAsync(ErrorCodes.RateLimited, () => connection.RefreshAsync(c.Grant));
        Assert.Equal((int)(Providers.ProvidersServiceCollectionExtensions.SandboxMinRefreshInterval.TotalSeconds - 3), tooSoon.RetryAfterSeconds);
        Assert.Equal(balanceReads + 1, f.Sandbox.StripeRequestsTo("/v1/balance"));

        // Once the interval has passed, a refresh fetches again.
        f.Time.Advance(Providers.ProvidersServiceCollectionExtensions.SandboxMinRefreshInterval);
        await connection.RefreshAsync(c.Grant);
        Assert.Equal(balanceReads + 2, f.Sandbox.StripeRequestsTo("/v1/balance"));
    }
}
