using Microsoft.Extensions.DependencyInjection;
using PayApi.Contracts;
using PayApi.ProviderData;
using Xunit;

namespace PayApi.Grains.Tests;

/// <summary>The connection grain over the real SQLite chunk store: long histories, damaged chunks, expiry, repair and disconnect.</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class ConnectionDataTests(GrainClusterFixture f)
{
    private IChunkStore Chunks => f.SiloServices.GetRequiredService<IChunkStore>();

    [Fact]
    public async Task A_long_history_pages_through_whole_and_only_one_generation_is_kept()
    {
        var clientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, "rk_test_history2500x" + Ids.Random(12));
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);
        await f.WaitSyncedAsync(c);

        var ids = await ReadAllAsync(connection, c.Grant, 300);
        Assert.Equal(2_500, ids.Count);
        Assert.Equal(2_500, ids.Distinct().Count());

        var before = await Chunks.ListAsync(c.ConnectionId, default);
        await connection.RefreshAsync(c.Grant);
        var after = await Chunks.ListAsync(c.ConnectionId, default);
        Assert.Single(after, n => n.StartsWith("head@", StringComparison.Ordinal));
        Assert.DoesNotContain(before.Intersect(after), n => n.StartsWith("head@", StringComparison.Ordinal));
        // The history did not change, so its parts were kept rather than written again.
        Assert.Contains(before.Intersect(after), n => n.StartsWith("transactions.", StringComparison.Ordinal));
        Assert.Equal(ids, await ReadAllAsync(connection, c.Grant, 500));
    }

    [Fact]
    public async Task A_damaged_chunk_is_never_served_the_data_is_fetched_again()
    {
        var clientId = await f.NewClientAsync();
        var c = await f.ConnectAsync(clientId, "rk_test_history1500x" + Ids.Random(12));
        var connection = f.Client.GetGrain<IConnectionGrain>(c.ConnectionId);
        await f.WaitSyncedAsync(c);
        var ids = await ReadAllAsync(connection, c.Grant, 500);

        // Swap two parts' ciphertexts: each is authentic, neither opens under the other's name.
        var parts = (await Chunks.ListAsync(c.ConnectionId, default)).Where(n => n.StartsWith("transactions.", StringComparison.Ordinal)).Order().ToList();
        Assert.True(parts.Count >= 2);
        var first = (await Chunks.GetAsync(c.ConnectionId, parts[0], default))!;
        await Chunks.PutAsync(c.ConnectionId, parts[0], (await Chunks.GetAsync(c.ConnectionId, parts[1], default))!, default);
        await Chunks.PutAsync(c.ConnectionId, parts[1], first, default);

        // Sync starts over: reads answer what is synced again so far (the newest items, in order), never the damaged parts.
        var partial = await ReadAllAsync(connection, c.Grant, 500);
        Assert.Equal(ids.Take(partial.Count), partial);
        Assert.Empty((await Chunks.ListAsync(c.ConnectionId, default)).Intersect(parts));
        await f.WaitSyncedAsync(c);
        Assert.Equal(ids, await ReadAllAsync(connection, c.Grant, 500));
    }

    [Fact]
    public async Task Data_past_the_age_limit_and_a_disconnected_connections_data_leave_no_chunk()
    {
        var clientId = await f.NewClientAsync();
        var old = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var gone = await f.ConnectAsync(clientId, Flows.NewGoodKey());
        var oldConnection = f.Client.GetGrain<IConnectionGrain>(old.ConnectionId);
        var goneConnection = f.Client.GetGrain<IConnectionGrain>(gone.ConnectionId);
        await oldConnection.GetTransactionsAsync(old.Grant, new ListQuery(10, null, null, null));
        await goneConnection.GetTransactionsAsync(gone.Grant, new ListQuery(10, null, null, null));
        Assert.NotEmpty(await Chunks.ListAsync(old.ConnectionId, default));

        await goneConnection.DisconnectByTokenAsync(gone.Grant);
        Assert.Empty(await Chunks.ListAsync(gone.ConnectionId, default));

        // Past the age limit, the next activation deletes the chunks before anything else.
        await f.Cluster.DeactivateAsync(oldConnection);
        f.Time.Advance(TimeSpan.FromDays(14));
        Assert.Equal(ConnectionStatus.Connected, (await oldConnection.GetByTokenAsync(old.Grant)).Status);
        Assert.Empty(await Chunks.ListAsync(old.ConnectionId, default));
        var fresh = await oldConnection.GetBalanceAsync(old.Grant);
        Assert.False(fresh.Cached);
        Assert.NotEmpty(await Chunks.ListAsync(old.ConnectionId, default));
    }

    private static async Task<List<string>> ReadAllAsync(IConnectionGrain connection, TokenGrant grant, int limit)
    {
        var ids = new List<string>();
        string? cursor = null;
        do
        {
            var page = await connection.GetTransactionsAsync(grant, new ListQuery(limit, cursor, null, null));
            ids.AddRange(page.Data.Select(t => t.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return ids;
    }
}
