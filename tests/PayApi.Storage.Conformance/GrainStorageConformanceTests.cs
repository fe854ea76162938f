using Orleans.Runtime;
using Orleans.Storage;
using Xunit;

namespace PayApi.Storage.Conformance;

/// <summary>
/// Orleans' <see cref="IGrainStorage"/> contract as every PayApi backend must honour it.
/// Subclass per backend and implement <see cref="CreateStorageAsync"/>; xunit creates a new
/// instance (and so a new storage and service id) for every test.
/// </summary>
public abstract class GrainStorageConformanceTests : IAsyncLifetime
{
    private const string StateName = "conformance-state";

    private ConformanceServices? services;
    private IGrainStorage? storage;

    protected ConformanceServices Services => services ?? throw new InvalidOperationException("Not initialized.");

    protected IGrainStorage Storage => storage ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>
    /// Creates a ready-to-use storage (schema created) that serializes with
    /// <see cref="ConformanceServices.GrainStorageSerializer"/> and scopes rows by
    /// <see cref="ConformanceServices.ServiceId"/>.
    /// </summary>
    protected abstract Task<IGrainStorage> CreateStorageAsync(ConformanceServices services);

    /// <summary>Releases anything the backend created for this test (files, tables, servers).</summary>
    protected virtual Task DisposeStorageAsync(IGrainStorage storage) => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        services = new ConformanceServices();
        storage = await CreateStorageAsync(services);
    }

    public async Task DisposeAsync()
    {
        if (storage is not null)
        {
            await DisposeStorageAsync(storage);
        }

        if (services is not null)
        {
            await services.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reading_missing_state_leaves_record_absent_and_etag_null()
    {
        var state = new GrainState<ConformanceState>();

        await Storage.ReadStateAsync(StateName, NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Equal(0, state.State!.Counter);
    }

    [Fact]
    public async Task Write_with_null_etag_inserts_and_reads_back()
    {
        var grainId = NewGrainId();
        var written = NewState(7);

        await Storage.WriteStateAsync(StateName, grainId, written);

        Assert.True(written.RecordExists);
        Assert.False(string.IsNullOrEmpty(written.ETag));
        var read = await ReadAsync(grainId);
        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        AssertSameData(written.State, read.State);
    }

    [Fact]
    public async Task Second_insert_with_null_etag_is_refused_and_data_unchanged()
    {
        var grainId = NewGrainId();
        var first = NewState(1);
        await Storage.WriteStateAsync(StateName, grainId, first);

        var second = NewState(2);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grainId, second));

        var read = await ReadAsync(grainId);
        Assert.Equal(first.ETag, read.ETag);
        AssertSameData(first.State, read.State);
    }

    [Fact]
    public async Task Write_with_stale_etag_is_refused_and_data_unchanged()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        await Storage.WriteStateAsync(StateName, grainId, state);
        var staleETag = state.ETag;
        state.State!.Counter = 2;
        await Storage.WriteStateAsync(StateName, grainId, state);
        var currentETag = state.ETag;

        var stale = NewState(99);
        stale.ETag = staleETag;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grainId, stale));

        var read = await ReadAsync(grainId);
        Assert.Equal(currentETag, read.ETag);
        Assert.Equal(2, read.State!.Counter);
    }

    [Fact]
    public async Task Write_with_made_up_etag_on_missing_state_is_refused()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        state.ETag = "not-a-real-etag";

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grainId, state));

        Assert.False((await ReadAsync(grainId)).RecordExists);
    }

    [Fact]
    public async Task Write_with_current_etag_succeeds_and_issues_new_etag()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        await Storage.WriteStateAsync(StateName, grainId, state);
        var firstETag = state.ETag;

        state.State!.Counter = 2;
        state.State!.Items.Add("second");
        await Storage.WriteStateAsync(StateName, grainId, state);

        Assert.NotEqual(firstETag, state.ETag);
        var read = await ReadAsync(grainId);
        Assert.Equal(state.ETag, read.ETag);
        AssertSameData(state.State, read.State);
    }

    [Fact]
    public async Task Clear_removes_the_record_and_a_later_insert_works()
    {
        var grainId = NewGrainId();
        var state = NewState(5);
        await Storage.WriteStateAsync(StateName, grainId, state);

        await Storage.ClearStateAsync(StateName, grainId, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        var read = await ReadAsync(grainId);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        Assert.Equal(0, read.State!.Counter);

        // The cleared handle carries a null ETag, which is exactly "insert if absent".
        state.State = NewState(6).State;
        await Storage.WriteStateAsync(StateName, grainId, state);
        var reread = await ReadAsync(grainId);
        Assert.True(reread.RecordExists);
        Assert.Equal(6, reread.State!.Counter);
    }

    [Fact]
    public async Task Etag_from_before_a_clear_cannot_write_or_clear_afterwards()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        await Storage.WriteStateAsync(StateName, grainId, state);
        var preClearETag = state.ETag;
        await Storage.ClearStateAsync(StateName, grainId, state);

        // Re-create the row so a backend that restarts a per-row counter would collide.
        var recreated = NewState(2);
        await Storage.WriteStateAsync(StateName, grainId, recreated);

        var old = NewState(3);
        old.ETag = preClearETag;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, grainId, old));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grainId, old));
        Assert.Equal(2, (await ReadAsync(grainId)).State!.Counter);
    }

    [Fact]
    public async Task Clear_with_stale_etag_is_refused_and_data_kept()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        await Storage.WriteStateAsync(StateName, grainId, state);
        var staleETag = state.ETag;
        state.State!.Counter = 2;
        await Storage.WriteStateAsync(StateName, grainId, state);

        var stale = NewState(0);
        stale.ETag = staleETag;
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grainId, stale));

        var read = await ReadAsync(grainId);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(2, read.State!.Counter);
    }

    [Fact]
    public async Task Clear_with_null_etag_is_refused_when_a_record_exists()
    {
        var grainId = NewGrainId();
        await Storage.WriteStateAsync(StateName, grainId, NewState(1));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync(StateName, grainId, NewState(0)));

        Assert.True((await ReadAsync(grainId)).RecordExists);
    }

    [Fact]
    public async Task Clear_of_missing_state_with_null_etag_succeeds()
    {
        var grainId = NewGrainId();
        var state = new GrainState<ConformanceState>();

        await Storage.ClearStateAsync(StateName, grainId, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
    }

    [Fact]
    public async Task State_names_and_grain_ids_are_independent()
    {
        var grainA = NewGrainId();
        var grainB = NewGrainId();
        var a1 = NewState(1);
        var a2 = NewState(2);
        var b1 = NewState(3);
        await Storage.WriteStateAsync("first", grainA, a1);
        await Storage.WriteStateAsync("second", grainA, a2);
        await Storage.WriteStateAsync("first", grainB, b1);

        Assert.Equal(1, (await ReadAsync(grainA, "first")).State!.Counter);
        Assert.Equal(2, (await ReadAsync(grainA, "second")).State!.Counter);
        Assert.Equal(3, (await ReadAsync(grainB, "first")).State!.Counter);
        Assert.False((await ReadAsync(grainB, "second")).RecordExists);

        await Storage.ClearStateAsync("first", grainA, a1);

        Assert.False((await ReadAsync(grainA, "first")).RecordExists);
        Assert.Equal(2, (await ReadAsync(grainA, "second")).State!.Counter);
        Assert.Equal(3, (await ReadAsync(grainB, "first")).State!.Counter);
    }

    [Fact]
    public async Task Large_state_round_trips_intact()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        // 100 KB: well past a page, still under DynamoDB's 400 KB item limit.
        state.State!.Blob = new byte[100 * 1024];
        Random.Shared.NextBytes(state.State!.Blob);

        await Storage.WriteStateAsync(StateName, grainId, state);

        Assert.Equal(state.State!.Blob, (await ReadAsync(grainId)).State!.Blob);
    }

    [Fact]
    public async Task Exactly_one_of_parallel_writers_with_the_same_etag_wins()
    {
        const int writers = 16;
        var grainId = NewGrainId();
        var seed = NewState(0);
        await Storage.WriteStateAsync(StateName, grainId, seed);

        var attempts = Enumerable.Range(1, writers).Select(i =>
        {
            var candidate = NewState(i);
            candidate.ETag = seed.ETag;
            return (Handle: candidate, Task: Task.Run(() => Storage.WriteStateAsync(StateName, grainId, candidate)));
        }).ToList();
        try
        {
            await Task.WhenAll(attempts.Select(a => a.Task));
        }
        catch (InconsistentStateException)
        {
            // Expected for the losers; each outcome is checked below.
        }

        var winners = attempts.Where(a => a.Task.IsCompletedSuccessfully).ToList();
        var losers = attempts.Where(a => !a.Task.IsCompletedSuccessfully).ToList();
        var winner = Assert.Single(winners);
        Assert.All(losers, l => Assert.IsType<InconsistentStateException>(l.Task.Exception?.InnerException));
        var read = await ReadAsync(grainId);
        Assert.Equal(winner.Handle.ETag, read.ETag);
        Assert.Equal(winner.Handle.State!.Counter, read.State!.Counter);
    }

    [Fact]
    public async Task Exactly_one_of_parallel_inserters_wins()
    {
        const int writers = 16;
        var grainId = NewGrainId();

        var attempts = Enumerable.Range(1, writers).Select(i =>
        {
            var candidate = NewState(i);
            return (Handle: candidate, Task: Task.Run(() => Storage.WriteStateAsync(StateName, grainId, candidate)));
        }).ToList();
        try
        {
            await Task.WhenAll(attempts.Select(a => a.Task));
        }
        catch (InconsistentStateException)
        {
            // Expected for the losers.
        }

        var winner = Assert.Single(attempts, a => a.Task.IsCompletedSuccessfully);
        Assert.Equal(winner.Handle.State!.Counter, (await ReadAsync(grainId)).State!.Counter);
    }

    [Fact]
    public async Task Many_grains_written_in_parallel_all_persist()
    {
        const int grains = 200;
        var ids = Enumerable.Range(0, grains).Select(_ => NewGrainId()).ToArray();

        await Parallel.ForEachAsync(Enumerable.Range(0, grains), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var state = NewState(i);
            await Storage.WriteStateAsync(StateName, ids[i], state);
            state.State!.Counter = i + 1000;
            await Storage.WriteStateAsync(StateName, ids[i], state);
        });

        for (var i = 0; i < grains; i++)
        {
            Assert.Equal(i + 1000, (await ReadAsync(ids[i])).State!.Counter);
        }
    }

    protected static GrainId NewGrainId() => GrainId.Create("conformance", Guid.NewGuid().ToString("N"));

    protected async Task<GrainState<ConformanceState>> ReadAsync(GrainId grainId, string stateName = StateName)
    {
        var state = new GrainState<ConformanceState>();
        await Storage.ReadStateAsync(stateName, grainId, state);
        return state;
    }

    private static GrainState<ConformanceState> NewState(int counter) => new()
    {
        State = new ConformanceState
        {
            Text = $"state {counter} ✓",
            Counter = counter,
            Items = [$"item-{counter}", "another"],
            Blob = [1, 2, 3, (byte)counter],
        },
    };

    private static void AssertSameData(ConformanceState? expected, ConformanceState? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Counter, actual.Counter);
        Assert.Equal(expected.Items, actual.Items);
        Assert.Equal(expected.Blob, actual.Blob);
    }
}
