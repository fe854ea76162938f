using PayApi.Contracts;
using Xunit;

namespace PayApi.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class SessionIdempotencyTests(GrainClusterFixture f)
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

        // Still remembered after a reactivation (the key is in the stored state).
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
