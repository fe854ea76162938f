using Orleans;
using Orleans.Runtime;
using Xunit;

namespace PayApi.Storage.Conformance;

/// <summary>
/// Orleans' <see cref="IReminderTable"/> contract as every PayApi backend must honour it.
/// Subclass per backend and implement <see cref="CreateTableAsync"/>; xunit creates a new instance
/// (and so a new table scope and service id) for every test.
/// </summary>
public abstract class ReminderTableConformanceTests : IAsyncLifetime
{
    private ConformanceServices? services;
    private IReminderTable? table;

    protected ConformanceServices Services => services ?? throw new InvalidOperationException("Not initialized.");

    protected IReminderTable Table => table ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>
    /// Creates a started table scoped by <see cref="ConformanceServices.ServiceId"/>.
    /// </summary>
    protected abstract Task<IReminderTable> CreateTableAsync(ConformanceServices services);

    /// <summary>Releases anything the backend created for this test.</summary>
    protected virtual Task DisposeTableAsync(IReminderTable table) => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        services = new ConformanceServices();
        table = await CreateTableAsync(services);
    }

    public async Task DisposeAsync()
    {
        if (table is not null)
        {
            await DisposeTableAsync(table);
        }

        if (services is not null)
        {
            await services.DisposeAsync();
        }
    }

    [Fact]
    public async Task Upserted_row_reads_back_with_the_returned_etag()
    {
        var entry = NewEntry(NewGrainId(), "refresh");

        var etag = await Table.UpsertRow(entry);

        Assert.False(string.IsNullOrEmpty(etag));
        var read = await Table.ReadRow(entry.GrainId, "refresh");
        Assert.NotNull(read);
        Assert.Equal(entry.GrainId, read.GrainId);
        Assert.Equal("refresh", read.ReminderName);
        Assert.Equal(entry.StartAt, read.StartAt);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(entry.Period, read.Period);
        Assert.Equal(etag, read.ETag);
    }

    [Fact]
    public async Task Reading_a_missing_row_returns_null()
    {
        await Table.UpsertRow(NewEntry(NewGrainId(), "other"));

        Assert.Null(await Table.ReadRow(NewGrainId(), "refresh"));
    }

    [Fact]
    public async Task Rows_by_grain_return_only_that_grains_reminders()
    {
        var grain = NewGrainId();
        var other = NewGrainId();
        await Table.UpsertRow(NewEntry(grain, "a"));
        await Table.UpsertRow(NewEntry(grain, "b"));
        await Table.UpsertRow(NewEntry(other, "a"));

        var rows = await Table.ReadRows(grain);

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName).Order());
        Assert.All(rows.Reminders, r => Assert.Equal(grain, r.GrainId));
        Assert.Empty((await Table.ReadRows(NewGrainId())).Reminders);
    }

    [Fact]
    public async Task Range_read_without_wrap_is_exclusive_begin_inclusive_end()
    {
        var hashes = await SeedManyGrainsAsync();
        // Bounds are real row hashes so both boundary rules are exercised.
        var begin = hashes[10];
        var end = hashes[30];

        var rows = await Table.ReadRows(begin, end);

        var expected = hashes.Where(h => h > begin && h <= end).ToList();
        Assert.Equal(20, expected.Count);
        Assert.Equal(expected, rows.Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order());
    }

    [Fact]
    public async Task Range_read_with_wrap_covers_both_ends_of_the_ring()
    {
        var hashes = await SeedManyGrainsAsync();
        var begin = hashes[30];
        var end = hashes[10];

        var rows = await Table.ReadRows(begin, end);

        var expected = hashes.Where(h => h > begin || h <= end).ToList();
        Assert.Equal(hashes.Count - 20, expected.Count);
        Assert.Equal(expected, rows.Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order());
    }

    [Fact]
    public async Task Range_read_with_equal_bounds_returns_the_whole_ring()
    {
        var hashes = await SeedManyGrainsAsync();

        var rows = await Table.ReadRows(hashes[5], hashes[5]);

        Assert.Equal(hashes, rows.Reminders.Select(r => r.GrainId.GetUniformHashCode()).Order());
        Assert.Equal(hashes.Count, (await Table.ReadRows(0u, 0u)).Reminders.Count);
    }

    [Fact]
    public async Task Remove_requires_the_current_etag()
    {
        var entry = NewEntry(NewGrainId(), "refresh");
        var etag = await Table.UpsertRow(entry);

        Assert.False(await Table.RemoveRow(entry.GrainId, "refresh", "wrong-etag"));
        Assert.NotNull(await Table.ReadRow(entry.GrainId, "refresh"));

        Assert.True(await Table.RemoveRow(entry.GrainId, "refresh", etag!));
        Assert.Null(await Table.ReadRow(entry.GrainId, "refresh"));

        Assert.False(await Table.RemoveRow(entry.GrainId, "refresh", etag!));
    }

    [Fact]
    public async Task Upsert_overwrites_and_changes_the_etag()
    {
        var grain = NewGrainId();
        var firstETag = await Table.UpsertRow(NewEntry(grain, "refresh", TimeSpan.FromMinutes(5)));

        var replacement = NewEntry(grain, "refresh", TimeSpan.FromHours(2));
        var secondETag = await Table.UpsertRow(replacement);

        Assert.NotEqual(firstETag, secondETag);
        var rows = await Table.ReadRows(grain);
        var row = Assert.Single(rows.Reminders);
        Assert.Equal(TimeSpan.FromHours(2), row.Period);
        Assert.Equal(replacement.StartAt, row.StartAt);
        Assert.Equal(secondETag, row.ETag);
        Assert.False(await Table.RemoveRow(grain, "refresh", firstETag!));
        Assert.True(await Table.RemoveRow(grain, "refresh", secondETag!));
    }

    [Fact]
    public async Task Clearing_the_table_removes_every_row()
    {
        var grain = NewGrainId();
        await Table.UpsertRow(NewEntry(grain, "a"));
        await Table.UpsertRow(NewEntry(NewGrainId(), "b"));

        await Table.TestOnlyClearTable();

        Assert.Empty((await Table.ReadRows(0u, 0u)).Reminders);
        Assert.Empty((await Table.ReadRows(grain)).Reminders);
    }

    protected static GrainId NewGrainId() => GrainId.Create("conformance", Guid.NewGuid().ToString("N"));

    protected static ReminderEntry NewEntry(GrainId grainId, string name, TimeSpan? period = null) => new()
    {
        GrainId = grainId,
        ReminderName = name,
        // Whole milliseconds, UTC: what the reminder service hands to the table.
        StartAt = new DateTime(2030, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc).AddMinutes(Random.Shared.Next(1000)),
        Period = period ?? TimeSpan.FromMinutes(10),
    };

    // 40 random grains spread over the whole uint ring; returns their hashes sorted.
    private async Task<List<uint>> SeedManyGrainsAsync()
    {
        var grains = Enumerable.Range(0, 40).Select(_ => NewGrainId()).ToList();
        foreach (var grain in grains)
        {
            await Table.UpsertRow(NewEntry(grain, "tick"));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
        // Guards the test itself: signed 32-bit handling of hashes would only show above int.MaxValue.
        Assert.Contains(hashes, h => h > int.MaxValue);
        return hashes;
    }
}
