using PayApi.Contracts;
using Xunit;

namespace PayApi.ProviderData.Tests;

public sealed class ChunkLayoutTests
{
    private static readonly ListKind<TransactionItem> Kind = ListKind<TransactionItem>.Transactions;

    [Fact]
    public void Parts_hold_every_item_once_in_order_close_on_month_boundaries_and_never_exceed_twice_the_size()
    {
        var items = Kind.Sorted(History.Transactions(5_000));
        var parts = ChunkLayout.Split(Kind, items, chunkItems: 300);

        Assert.Equal(items.Select(i => i.Id), parts.SelectMany(p => p).Select(i => i.Id));
        Assert.All(parts, p => Assert.InRange(p.Count, 1, 600));
        // Every part but the newest holds at least the chunk size, and ends (at its oldest item) where a month
        // begins, unless it was cut at twice the size.
        foreach (var (part, older) in parts.Zip(parts.Skip(1)))
        {
            Assert.True(older.Count >= 300);
            var sameMonth = part[^1].Date.Month == older[0].Date.Month && part[^1].Date.Year == older[0].Date.Year;
            Assert.True(!sameMonth || older.Count == 600, "a part that closed mid-month must be full");
        }
    }

    [Fact]
    public void New_items_change_only_the_newest_parts_so_older_ones_are_not_written_again()
    {
        var all = Kind.Sorted(History.Transactions(3_000));
        var before = ChunkLayout.Split(Kind, all.Skip(40).ToList(), chunkItems: 200);
        var after = ChunkLayout.Split(Kind, all, chunkItems: 200);

        // Counted from the oldest: part k of both layouts holds the same items for every k but the newest few.
        var unchanged = before.AsEnumerable().Reverse().Zip(after.AsEnumerable().Reverse())
            .TakeWhile(pair => pair.First.Select(i => i.Id).SequenceEqual(pair.Second.Select(i => i.Id)))
            .Count();
        Assert.True(unchanged >= before.Count - 1, $"{unchanged} of {before.Count} parts unchanged");
    }

    [Fact]
    public void An_empty_list_has_no_parts()
    {
        Assert.Empty(ChunkLayout.Split(Kind, [], chunkItems: 10));
    }

    [Fact]
    public void Long_descriptions_close_a_part_before_its_bytes_outgrow_an_item()
    {
        var items = Kind.Sorted(History.Transactions(3_000).Select(t => t with { Description = new string('é', 400) }));
        var parts = ChunkLayout.Split(Kind, items, chunkItems: 500, chunkBytes: 160 * 1024);

        Assert.Equal(3_000, parts.Sum(p => p.Count));
        foreach (var part in parts)
        {
            var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(part, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
            Assert.InRange(json.Length, 1, 160 * 1024);
        }
    }
}
