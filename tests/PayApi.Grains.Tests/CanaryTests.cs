using PayApi.Contracts;
using Xunit;

namespace PayApi.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class CanaryTests(GrainClusterFixture f)
{
    [Fact]
    public async Task Api_key_never_reaches_any_file_on_disk()
    {
        var canary = "rk_test_CANARY" + Ids.Random(24);
        var clientId = await f.NewClientAsync();

        // A refused attempt first, then the canary key connects.
        var opened = await f.OpenSessionAsync(clientId, Flows.NewEndUser());
        var refusedKey = "rk_test_invalidCANARY" + Ids.Random(16);
        Assert.Equal(SessionStatus.Pending, (await f.SubmitAndWaitAsync(clientId, opened.SessionId, refusedKey)).Status);
        var ok = await f.SubmitAndWaitAsync(clientId, opened.SessionId, canary);
        Assert.Equal(SessionStatus.Succeeded, ok.Status);
        var exchanged = await f.Client.ConnectSession(opened.SessionId).ExchangeAsync(clientId, ok.Code!);
        var grant = new TokenGrant(clientId, exchanged.Generation);
        var connection = f.Client.GetGrain<IConnectionGrain>(exchanged.ConnectionId);

        await connection.GetBalanceAsync(grant);
        f.Time.Advance(TimeSpan.FromMinutes(1));
        await connection.RefreshAsync(grant);
        await f.Cluster.DeactivateAsync(connection);
        f.Time.Advance(TimeSpan.FromMinutes(16));
        Assert.False((await connection.GetTransactionsAsync(grant, new ListQuery(5, null, null, null))).Cached);

        // Control: the scan covers the files that hold this connection's state.
        Assert.NotEmpty(Files.FilesContaining(Files.AllFilesUnder(f.DataDir), exchanged.ConnectionId));
        AssertNowhere(canary);
        AssertNowhere(refusedKey);

        await connection.DisconnectAsync(clientId);
        AssertNowhere(canary);
        AssertNowhere(refusedKey);
    }

    private void AssertNowhere(string secret)
    {
        var files = Files.AllFilesUnder(f.DataDir).ToList();
        Assert.Contains(files, p => p.EndsWith("payapi.db", StringComparison.Ordinal));
        Assert.Contains(files, p => p.EndsWith("keys.db", StringComparison.Ordinal));
        Assert.Empty(Files.FilesContaining(files, secret));

        // The random tail alone, in case something stored it without its prefix.
        Assert.Empty(Files.FilesContaining(files, secret[^24..]));
    }
}
