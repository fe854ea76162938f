namespace PayApi.Grains.Sync;

/// <summary>How incremental sync paces itself against the provider (bound from <c>PayApi:Sync</c>).</summary>
public sealed class SyncOptions
{
    /// <summary>
    /// Pages of each list the first sync reads before it answers: an account of up to 500 items is whole at once, a
    /// longer history is walked in the background from there.
    /// </summary>
    public int FirstSyncPages { get; set; } = 5;

    /// <summary>
    /// Pages of changes one refresh reads at most per list; a longer run of changes (an account idle for months) is
    /// finished by background batches, so no call waits on it.
    /// </summary>
    public int RefreshPages { get; set; } = 20;

    /// <summary>Pages one background batch reads, over all lists: bounded work under the connection's gate.</summary>
    public int BatchPages { get; set; } = 10;

    /// <summary>
    /// The pause between background batches. Ten pages a second stays well inside Stripe's 25 requests a second per
    /// endpoint, with room for the account's own traffic.
    /// </summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After a failed batch the next waits this long, doubling to <see cref="MaxBatchBackoff"/>.</summary>
    public TimeSpan BatchBackoff { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan MaxBatchBackoff { get; set; } = TimeSpan.FromMinutes(10);
}
