using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using PayApi.Contracts;
using Xunit;
using Xunit.Abstractions;

namespace PayApi.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class SessionIdempotencyTests(GrainClusterFixture f, ITestOutputHelper output)
{
    [Fact]
    public async Task Same_key_and_body_returns_the_same_session_within_24_hours_only()
    {
        var clientId = await f.NewClientAsync();
        var client = f.Client.GetGrain<IClientGrain>(clientId);
        var request = new SessionRequest("user-1", null, "https://app.example/done", null);

        var first = await client.OpenSessionAsync(request, "idem-1", "hash-a");
        var again = await client.OpenSessionAsync(request, "idem-1", "hash-a");
        Assert.Equal(first, again);

        // Another key is another session.
        var other = await client.OpenSessionAsync(request, "idem-2", "hash-a");
        Assert.NotEqual(first.SessionId, other.SessionId);

        // No key: never deduplicated.
        var noKey1 = await client.OpenSessionAsync(request, null, "hash-a");
        var noKey2 = await client.OpenSessionAsync(request, null, "hash-a");
        Assert.NotEqual(noKey1.SessionId, noKey2.SessionId);

        await Flows.AssertCodeAsync(ErrorCodes.Conflict, () => client.OpenSessionAsync(request with { EndUserId = "user-2" }, "idem-1", "hash-b"));

        // Still remembered after a reactivation (the key has its own stored record).
        await f.Cluster.DeactivateAsync(client);
        f.Time.Advance(TimeSpan.FromHours(23));
        Assert.Equal(first, await client.OpenSessionAsync(request, "idem-1", "hash-a"));

        f.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var later = await client.OpenSessionAsync(request, "idem-1", "hash-a");
        Assert.NotEqual(first.SessionId, later.SessionId);
        Assert.Equal(f.Time.GetUtcNow() + TimeSpan.FromMinutes(30), later.ExpiresAt);

        // The new session now owns the key.
        Assert.Equal(later, await client.OpenSessionAsync(request, "idem-1", "hash-a"));
        await Flows.AssertCodeAsync(ErrorCodes.Conflict, () => client.OpenSessionAsync(request, "idem-1", "hash-b"));
    }

    [Fact]
    public async Task Bytes_written_per_session_stay_flat_over_4000_idempotency_keys()
    {
        var clientId = await f.NewClientAsync();
        var client = f.Client.GetGrain<IClientGrain>(clientId);
        var request = new SessionRequest("user-1", null, "https://app.example/done", null);
        var clientStateBytes = new List<long>();
        var writtenBytes = new List<long>();
        for (var i = 1; i <= 4000; i++)
        {
            var measured = i <= 10 || i > 3990;
            var before = measured ? await StoredRowsAsync() : null;
            await client.OpenSessionAsync(request, $"key-{i}", "hash-a");
            if (measured)
            {
                var after = await StoredRowsAsync();
                writtenBytes.Add(after.Where(r => !before!.TryGetValue(r.Key, out var old) || old.Etag != r.Value.Etag).Sum(r => r.Value.Bytes));
                clientStateBytes.Add(after.Single(r => r.Key.EndsWith(clientId, StringComparison.Ordinal)).Value.Bytes);
            }
        }

        output.WriteLine($"bytes written to grain storage per session, calls 1-10: {string.Join(' ', writtenBytes.Take(10))}");
        output.WriteLine($"bytes written to grain storage per session, calls 3991-4000: {string.Join(' ', writtenBytes.Skip(10))}");
        output.WriteLine($"client grain state: {clientStateBytes[0]} bytes after 1 key, {clientStateBytes[^1]} after 4000");
        Assert.Equal(clientStateBytes[0], clientStateBytes[^1]);
        Assert.InRange(writtenBytes.Skip(10).Average(), 1, writtenBytes.Take(10).Average() + 16);

        // The contract holds at the start and the end of the run.
        var first = await client.OpenSessionAsync(request, "key-1", "hash-a");
        Assert.Equal(first, await client.OpenSessionAsync(request, "key-1", "hash-a"));
        await Flows.AssertCodeAsync(ErrorCodes.Conflict, () => client.OpenSessionAsync(request, "key-4000", "hash-b"));
    }

    [Fact]
    public async Task Keys_kept_in_the_client_state_by_earlier_versions_move_to_their_own_records()
    {
        var clientId = await f.NewClientAsync();
        var client = f.Client.GetGrain<IClientGrain>(clientId);
        var request = new SessionRequest("user-1", null, null, null);
        var fresh = new SessionCreated(Ids.NewSessionId(), f.Time.GetUtcNow() + TimeSpan.FromMinutes(30));
        var stale = new SessionCreated(Ids.NewSessionId(), f.Time.GetUtcNow() + TimeSpan.FromMinutes(30));

        // Write the state an earlier version kept: keys inside the client grain's own state.
        await f.Cluster.DeactivateAsync(client);
        var storage = f.SiloServices.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        var grainId = client.GetGrainId();
        var old = new GrainState<ClientState>();
        await storage.ReadStateAsync("client", grainId, old);
        old.State!.Idempotency["kept"] = new IdempotentSession("hash-a", fresh, f.Time.GetUtcNow() - TimeSpan.FromHours(1));
        old.State!.Idempotency["expired"] = new IdempotentSession("hash-a", stale, f.Time.GetUtcNow() - TimeSpan.FromHours(25));
        await storage.WriteStateAsync("client", grainId, old);

        Assert.Equal(fresh, await client.OpenSessionAsync(request, "kept", "hash-a"));
        await Flows.AssertCodeAsync(ErrorCodes.Conflict, () => client.OpenSessionAsync(request, "kept", "hash-b"));
        Assert.NotEqual(stale.SessionId, (await client.OpenSessionAsync(request, "expired", "hash-a")).SessionId);

        var now = new GrainState<ClientState>();
        await storage.ReadStateAsync("client", grainId, now);
        Assert.Empty(now.State!.Idempotency);
    }

    // Every grain state row: grain id to (etag, payload length).
    private async Task<Dictionary<string, (string Etag, long Bytes)>> StoredRowsAsync()
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = f.DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        await using var connection = new SqliteConnection(cs);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state_name || '/' || grain_id, etag, length(payload) FROM orleans_grain_state";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = (reader.GetString(1), reader.GetInt64(2));
        }

        return rows;
    }

    [Fact]
    public async Task Unknown_client_cannot_open_sessions()
    {
        var client = f.Client.GetGrain<IClientGrain>(Ids.NewClientId());
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => client.OpenSessionAsync(new SessionRequest("u", null, null, null), null, "h"));
    }

    [Fact]
    public async Task Repair_session_only_for_own_connection_of_the_same_end_user()
    {
        var clientId = await f.NewClientAsync();
        var otherClientId = await f.NewClientAsync();
        var connected = await f.ConnectAsync(clientId, Flows.NewGoodKey());

        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => f.OpenSessionAsync(otherClientId, connected.EndUserId, connected.ConnectionId));
        await Flows.AssertCodeAsync(ErrorCodes.InvalidRequest, () => f.OpenSessionAsync(clientId, "someone-else", connected.ConnectionId));
        await Flows.AssertCodeAsync(ErrorCodes.NotFound, () => f.OpenSessionAsync(clientId, connected.EndUserId, Ids.NewConnectionId()));
    }
}
