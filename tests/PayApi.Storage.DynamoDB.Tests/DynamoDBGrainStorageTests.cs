using System.Diagnostics;
using Amazon.DynamoDBv2;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using PayApi.Storage.Conformance;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>
/// What the conformance kit cannot say about DynamoDB: the 400 KB item limit, outages, throttling and a server
/// that goes away. Faults are switched on the collection's shared dynalite and always switched off again.
/// </summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBGrainStorageTests(DynaliteFixture fixture) : IAsyncLifetime
{
    private const string StateName = "state";

    private readonly ConformanceServices services = new();
    private DynamoDBOptions options = null!;
    private IAmazonDynamoDB client = null!;
    private DynamoDBGrainStorage storage = null!;

    public async Task InitializeAsync()
    {
        (options, client) = fixture.NewTables();
        storage = new DynamoDBGrainStorage(
            "test",
            new DynamoDBGrainStorageOptions { GrainStorageSerializer = services.GrainStorageSerializer },
            client,
            Options.Create(options),
            fixture.Tables(client, options),
            services.ClusterOptions,
            services.ActivatorProvider,
            services.Logger<DynamoDBGrainStorage>());
        await storage.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await services.DisposeAsync();
    }

    [Fact]
    public async Task State_over_the_item_limit_is_refused_before_any_request_and_the_stored_state_stays()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        await storage.WriteStateAsync(StateName, grainId, state);
        var storedETag = state.ETag;

        state.State!.Counter = 2;
        state.State.Blob = RandomBytes(410 * 1024);
        var before = await fixture.Server.StatsAsync();
        var error = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => storage.WriteStateAsync(StateName, grainId, state));
        var after = await fixture.Server.StatsAsync();

        Assert.Equal(before.Requests, after.Requests);
        Assert.Contains(grainId.ToString(), error.Message);
        Assert.Contains($"'{StateName}'", error.Message);
        Assert.Contains(error.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Contains(DynamoDBGrainStorage.MaxItemBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Equal(grainId.ToString(), error.GrainId);
        Assert.Equal(StateName, error.StateName);
        Assert.True(error.Size > 410 * 1024, $"size {error.Size}");
        Assert.Equal(DynamoDBGrainStorage.MaxItemBytes, error.Limit);
        Assert.Equal(storedETag, state.ETag);

        var read = await ReadAsync(grainId);
        Assert.Equal(storedETag, read.ETag);
        Assert.Equal(1, read.State!.Counter);
        Assert.Equal(NewState(1).State!.Blob, read.State.Blob);
    }

    [Fact]
    public async Task A_new_state_over_the_limit_stores_nothing()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        state.State!.Blob = RandomBytes(DynamoDBItemSize.MaxItemBytes);

        await Assert.ThrowsAsync<GrainStateTooLargeException>(() => storage.WriteStateAsync(StateName, grainId, state));

        Assert.Null(state.ETag);
        Assert.False((await ReadAsync(grainId)).RecordExists);
    }

    [Fact]
    public async Task A_state_exactly_at_the_limit_is_accepted_by_DynamoDB_and_one_byte_more_is_refused()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        state.State!.Blob = RandomBytes(DynamoDBGrainStorage.MaxItemBytes);
        var over = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => storage.WriteStateAsync(StateName, grainId, state));

        // Shrink the blob by exactly the excess: the item is then as large as this storage allows. DynamoDB
        // (dynalite counts item size the same way) must accept it, or our count is too low.
        state.State.Blob = RandomBytes(state.State.Blob.Length - (int)(over.Size - over.Limit));
        await storage.WriteStateAsync(StateName, grainId, state);
        Assert.Equal(state.State.Blob, (await ReadAsync(grainId)).State!.Blob);

        var atLimitETag = state.ETag;
        state.State.Blob = RandomBytes(state.State.Blob.Length + 1);
        var oneMore = await Assert.ThrowsAsync<GrainStateTooLargeException>(() => storage.WriteStateAsync(StateName, grainId, state));
        Assert.Equal(DynamoDBGrainStorage.MaxItemBytes + 1, oneMore.Size);
        Assert.Equal(atLimitETag, (await ReadAsync(grainId)).ETag);
    }

    [Fact]
    public async Task An_outage_surfaces_as_unavailable_and_leaves_the_stored_item_and_the_handle_as_they_were()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        await storage.WriteStateAsync(StateName, grainId, state);
        var storedETag = state.ETag;

        await fixture.Server.SetFaultAsync("server_error", -1);
        try
        {
            state.State!.Counter = 2;
            var write = await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => storage.WriteStateAsync(StateName, grainId, state));
            Assert.Contains(options.GrainStateTable, write.Message);
            Assert.Equal(storedETag, state.ETag);

            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => storage.ReadStateAsync(StateName, grainId, new GrainState<ConformanceState>()));
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => storage.ClearStateAsync(StateName, grainId, state));
            Assert.Equal(storedETag, state.ETag);
            Assert.True(state.RecordExists);
        }
        finally
        {
            await fixture.Server.ClearFaultsAsync();
        }

        var read = await ReadAsync(grainId);
        Assert.Equal(storedETag, read.ETag);
        Assert.Equal(1, read.State!.Counter);

        // The handle kept its ETag, so the grain's retry goes through once DynamoDB is back.
        await storage.WriteStateAsync(StateName, grainId, state);
        Assert.Equal(2, (await ReadAsync(grainId)).State!.Counter);
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_a_read_after_the_request_timeouts_instead_of_hanging_it()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        await storage.WriteStateAsync(StateName, grainId, state);

        var before = await fixture.Server.StatsAsync();
        await fixture.Server.SetFaultAsync("hang", -1);
        try
        {
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => storage.ReadStateAsync(StateName, grainId, new GrainState<ConformanceState>()));
            var elapsed = clock.Elapsed;

            // The first attempt and MaxErrorRetry (2) more, each abandoned after RequestTimeout (3 s): about 9 s.
            // The SDK sometimes sends a timed-out request more often than that (6 or 7 attempts, ~20 s, seen against
            // dynalite), so the bound is on time: far below the SDK's default timeout of 100 s for a single attempt.
            var after = await fixture.Server.StatsAsync();
            Assert.True(after.Faulted - before.Faulted >= 3, $"{after.Faulted - before.Faulted} attempts");
            Assert.True(elapsed < TimeSpan.FromSeconds(45), $"the read took {elapsed} to fail");
            Assert.True(elapsed >= TimeSpan.FromSeconds(8), $"the read failed after {elapsed}, before three timeouts");
        }
        finally
        {
            await fixture.Server.ClearFaultsAsync();
        }

        Assert.Equal(state.ETag, (await ReadAsync(grainId)).ETag);
    }

    [Fact]
    public async Task A_throttled_write_is_retried_by_the_SDK_and_succeeds()
    {
        var grainId = NewGrainId();
        var state = NewState(7);

        var before = await fixture.Server.StatsAsync();
        await fixture.Server.SetFaultAsync("throttle", 2);
        try
        {
            await storage.WriteStateAsync(StateName, grainId, state);
        }
        finally
        {
            await fixture.Server.ClearFaultsAsync();
        }

        var after = await fixture.Server.StatsAsync();
        Assert.Equal(2, after.Faulted - before.Faulted);
        // Two throttled attempts and the one that went through: a single PutItem.
        Assert.Equal(3, after.Requests - before.Requests);
        var read = await ReadAsync(grainId);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(7, read.State!.Counter);
    }

    [Fact]
    public async Task With_the_server_stopped_a_write_fails_within_seconds_and_after_restart_the_last_complete_state_reads_back()
    {
        var grainId = NewGrainId();
        var state = NewState(1);
        await storage.WriteStateAsync(StateName, grainId, state);
        state.State!.Counter = 2;
        await storage.WriteStateAsync(StateName, grainId, state);
        var lastETag = state.ETag;

        await fixture.Server.StopAsync();
        try
        {
            state.State.Counter = 3;
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => storage.WriteStateAsync(StateName, grainId, state));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the write took {clock.Elapsed} to fail");
            Assert.Equal(lastETag, state.ETag);
        }
        finally
        {
            await fixture.Server.RestartAsync();
        }

        var read = await ReadAsync(grainId);
        Assert.Equal(lastETag, read.ETag);
        Assert.Equal(2, read.State!.Counter);
        await storage.WriteStateAsync(StateName, grainId, state);
        Assert.Equal(3, (await ReadAsync(grainId)).State!.Counter);
    }

    [Fact]
    public async Task A_write_that_landed_but_whose_answer_was_lost_is_not_taken_for_a_conflict()
    {
        var (lossy, recorder) = RecordingDynamoDBClient.Wrap(client);
        var lossyStorage = new DynamoDBGrainStorage(
            "lossy",
            new DynamoDBGrainStorageOptions { GrainStorageSerializer = services.GrainStorageSerializer },
            lossy,
            Options.Create(options),
            fixture.Tables(lossy, options),
            services.ClusterOptions,
            services.ActivatorProvider,
            services.Logger<DynamoDBGrainStorage>());
        var grainId = NewGrainId();
        var state = NewState(1);

        // The retried insert finds the item it created itself; then the same for an update.
        recorder.LoseNextAnswerOf("PutItemAsync");
        await lossyStorage.WriteStateAsync(StateName, grainId, state);
        Assert.Equal(state.ETag, (await ReadAsync(grainId)).ETag);

        state.State!.Counter = 2;
        recorder.LoseNextAnswerOf("PutItemAsync");
        await lossyStorage.WriteStateAsync(StateName, grainId, state);
        var read = await ReadAsync(grainId);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal(2, read.State!.Counter);
        Assert.Equal(4, recorder.Count("PutItemAsync"));

        // A real conflict is still one.
        var stale = NewState(3);
        stale.ETag = "stale";
        await Assert.ThrowsAsync<InconsistentStateException>(() => lossyStorage.WriteStateAsync(StateName, grainId, stale));
    }

    [Fact]
    public async Task State_names_and_grain_ids_holding_the_key_separator_do_not_collide()
    {
        // Joined naively with '/', both would be "<service>/a/b/c/d".
        var first = GrainId.Create("c", "d");
        var second = GrainId.Create("b", "c/d");
        await storage.WriteStateAsync("a/b", first, NewState(1));
        await storage.WriteStateAsync("a", second, NewState(2));

        Assert.Equal(1, (await ReadAsync(first, "a/b")).State!.Counter);
        Assert.Equal(2, (await ReadAsync(second, "a")).State!.Counter);
    }

    [Fact]
    public async Task Grain_ids_longer_than_a_partition_key_get_items_of_their_own()
    {
        var longA = GrainId.Create("conformance", new string('k', 3000) + "a");
        var longB = GrainId.Create("conformance", new string('k', 3000) + "b");
        await storage.WriteStateAsync(StateName, longA, NewState(1));
        await storage.WriteStateAsync(StateName, longB, NewState(2));

        Assert.Equal(1, (await ReadAsync(longA)).State!.Counter);
        Assert.Equal(2, (await ReadAsync(longB)).State!.Counter);
    }

    private static GrainId NewGrainId() => GrainId.Create("conformance", Guid.NewGuid().ToString("N"));

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static GrainState<ConformanceState> NewState(int counter) => new()
    {
        State = new ConformanceState { Text = $"state {counter}", Counter = counter, Items = ["x"], Blob = [1, 2, 3] },
    };

    private async Task<GrainState<ConformanceState>> ReadAsync(GrainId grainId, string stateName = StateName)
    {
        var state = new GrainState<ConformanceState>();
        await storage.ReadStateAsync(stateName, grainId, state);
        return state;
    }
}
