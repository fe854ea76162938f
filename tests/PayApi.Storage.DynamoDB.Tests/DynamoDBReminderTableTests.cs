using Amazon.DynamoDBv2;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using PayApi.Storage.Conformance;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>
/// The reminder table's DynamoDB layout: ring ranges and a grain's reminders are read by Query over a bounded
/// number of partitions, never by Scan; keys survive separators and overlong ids; services sharing a table
/// stay apart; every page of a Query is read.
/// </summary>
[Collection(DynaliteCollection.Name)]
public sealed class DynamoDBReminderTableTests(DynaliteFixture fixture) : IAsyncLifetime
{
    private readonly ConformanceServices services = new();
    private DynamoDBOptions options = null!;
    private IAmazonDynamoDB client = null!;
    private RecordingDynamoDBClient recorder = null!;

    public Task InitializeAsync()
    {
        IAmazonDynamoDB real;
        (options, real) = fixture.NewTables();
        (client, recorder) = RecordingDynamoDBClient.Wrap(real);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await services.DisposeAsync();
    }

    [Fact]
    public async Task Ring_ranges_are_read_by_one_query_per_overlapping_bucket_and_never_by_scan()
    {
        var table = await StartTableAsync(services.ServiceId);
        var hashes = await SeedAsync(table, 60);
        recorder.Reset();

        // Inside bucket 1 only (a bucket is 2^28 hashes wide).
        var narrow = await table.ReadRows(0x1000_0000u, 0x1800_0000u);
        Assert.Equal(1, recorder.Count("QueryAsync"));
        AssertHashes(hashes.Where(h => h > 0x1000_0000u && h <= 0x1800_0000u), narrow);

        // Buckets 1, 2 and 3.
        recorder.Reset();
        var wider = await table.ReadRows(0x0fff_ffffu, 0x3000_0000u);
        Assert.Equal(3, recorder.Count("QueryAsync"));
        AssertHashes(hashes.Where(h => h > 0x0fff_ffffu && h <= 0x3000_0000u), wider);

        // Wrapping from bucket 15 over to bucket 0.
        recorder.Reset();
        var wrapped = await table.ReadRows(0xf800_0000u, 0x0800_0000u);
        Assert.Equal(2, recorder.Count("QueryAsync"));
        AssertHashes(hashes.Where(h => h > 0xf800_0000u || h <= 0x0800_0000u), wrapped);

        // The whole ring: every bucket once.
        recorder.Reset();
        var all = await table.ReadRows(0x1234_5678u, 0x1234_5678u);
        Assert.Equal(DynamoDBReminderTable.BucketCount, recorder.Count("QueryAsync"));
        AssertHashes(hashes, all);

        Assert.Equal(0, recorder.Count("ScanAsync"));
    }

    [Fact]
    public async Task A_grains_reminders_are_one_query_and_a_reminder_one_get()
    {
        var table = await StartTableAsync(services.ServiceId);
        var grain = NewGrainId();
        await SeedAsync(table, 20);
        await table.UpsertRow(NewEntry(grain, "a"));
        await table.UpsertRow(NewEntry(grain, "b"));
        recorder.Reset();

        var rows = await table.ReadRows(grain);
        var row = await table.ReadRow(grain, "b");

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.Equal("b", row?.ReminderName);
        Assert.Equal(["QueryAsync", "GetItemAsync"], recorder.Calls);
    }

    [Fact]
    public async Task Separators_percent_signs_and_overlong_ids_and_names_keep_reminders_apart()
    {
        var table = await StartTableAsync(services.ServiceId);
        var longGrain = GrainId.Create("conformance", new string('g', 1500) + "/%2F#");
        var otherLongGrain = GrainId.Create("conformance", new string('g', 1500) + "/%2F#x");
        string[] names = ["a/b", "a%2Fb", "a", new string('n', 1200), new string('n', 1200) + "x"];
        var etags = new Dictionary<string, string?>();
        foreach (var name in names)
        {
            etags[name] = await table.UpsertRow(NewEntry(longGrain, name));
        }

        await table.UpsertRow(NewEntry(otherLongGrain, "a/b"));

        Assert.Equal(names.Order(StringComparer.Ordinal), (await table.ReadRows(longGrain)).Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All((await table.ReadRows(longGrain)).Reminders, r => Assert.Equal(longGrain, r.GrainId));
        foreach (var name in names)
        {
            var row = await table.ReadRow(longGrain, name);
            Assert.Equal(name, row?.ReminderName);
            Assert.Equal(etags[name], row?.ETag);
        }

        Assert.Single((await table.ReadRows(otherLongGrain)).Reminders);
        Assert.True(await table.RemoveRow(longGrain, "a/b", etags["a/b"]!));
        Assert.Null(await table.ReadRow(longGrain, "a/b"));
        Assert.NotNull(await table.ReadRow(longGrain, "a%2Fb"));
        Assert.NotNull(await table.ReadRow(otherLongGrain, "a/b"));
    }

    [Fact]
    public async Task Services_sharing_the_table_never_see_or_clear_each_others_reminders()
    {
        // "svc/00" would share partition keys with "svc" if the service id were not escaped.
        var first = await StartTableAsync("svc");
        var second = await StartTableAsync("svc/00");
        var grain = NewGrainId();
        await first.UpsertRow(NewEntry(grain, "first"));
        await second.UpsertRow(NewEntry(grain, "second"));

        Assert.Equal(["first"], (await first.ReadRows(0u, 0u)).Reminders.Select(r => r.ReminderName));
        Assert.Equal(["second"], (await second.ReadRows(grain)).Reminders.Select(r => r.ReminderName));

        await second.TestOnlyClearTable();

        Assert.Empty((await second.ReadRows(0u, 0u)).Reminders);
        Assert.Equal(["first"], (await first.ReadRows(grain)).Reminders.Select(r => r.ReminderName));
    }

    [Fact]
    public async Task Every_page_of_a_query_is_read()
    {
        var table = await StartTableAsync(services.ServiceId, pageLimit: 3);
        var grain = NewGrainId();
        for (var i = 0; i < 10; i++)
        {
            await table.UpsertRow(NewEntry(grain, $"r{i}"));
        }

        var hashes = (await SeedAsync(table, 20)).Concat(Enumerable.Repeat(grain.GetUniformHashCode(), 10)).ToList();
        recorder.Reset();

        Assert.Equal(10, (await table.ReadRows(grain)).Reminders.Count);
        Assert.True(recorder.Count("QueryAsync") >= 4, "10 rows at 3 a page take 4 pages");
        AssertHashes(hashes, await table.ReadRows(0u, 0u));
        AssertHashes(hashes.Where(h => h > 0x8000_0000u), await table.ReadRows(0x8000_0000u, uint.MaxValue));

        await table.TestOnlyClearTable();
        Assert.Empty((await table.ReadRows(0u, 0u)).Reminders);
    }

    [Fact]
    public async Task An_outage_surfaces_as_unavailable()
    {
        var table = await StartTableAsync(services.ServiceId);
        var grain = NewGrainId();
        var etag = await table.UpsertRow(NewEntry(grain, "r"));

        await fixture.Server.SetFaultAsync("server_error", -1);
        try
        {
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => table.ReadRows(0u, 0u));
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => table.UpsertRow(NewEntry(grain, "r")));
            await Assert.ThrowsAsync<DynamoDBUnavailableException>(() => table.RemoveRow(grain, "r", etag!));
        }
        finally
        {
            await fixture.Server.ClearFaultsAsync();
        }

        Assert.Equal(etag, (await table.ReadRow(grain, "r"))?.ETag);
    }

    private async Task<DynamoDBReminderTable> StartTableAsync(string serviceId, int? pageLimit = null)
    {
        var table = new DynamoDBReminderTable(
            client,
            Options.Create(options),
            fixture.Tables(client, options),
            Options.Create(new ClusterOptions { ServiceId = serviceId, ClusterId = "test" }),
            services.Logger<DynamoDBReminderTable>())
        {
            PageLimit = pageLimit,
        };
        await table.StartAsync();
        return table;
    }

    // Reminders of `count` new grains, spread over the ring; returns their hashes.
    private static async Task<List<uint>> SeedAsync(DynamoDBReminderTable table, int count)
    {
        var grains = Enumerable.Range(0, count).Select(_ => NewGrainId()).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(NewEntry(grain, "tick"));
        }

        return grains.Select(g => g.GetUniformHashCode()).ToList();
    }

    private static void AssertHashes(IEnumerable<uint> expected, ReminderTableData actual) =>
        Assert.Equal(expected.Order(), actual.Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order());

    private static GrainId NewGrainId() => GrainId.Create("conformance", Guid.NewGuid().ToString("N"));

    private static ReminderEntry NewEntry(GrainId grainId, string name) => new()
    {
        GrainId = grainId,
        ReminderName = name,
        StartAt = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        Period = TimeSpan.FromMinutes(10),
    };
}
