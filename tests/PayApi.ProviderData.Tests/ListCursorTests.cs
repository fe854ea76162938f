using PayApi.Contracts;
using Xunit;

namespace PayApi.ProviderData.Tests;

public sealed class ListCursorTests
{
    [Fact]
    public void A_cursor_round_trips_its_exact_position()
    {
        var position = new ItemPosition(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234), "txn:with:colons");
        var decoded = ListCursor.Decode(ListCursor.Encode(position));
        Assert.Equal(position.Date.UtcTicks, decoded.Date.UtcTicks);
        Assert.Equal(position.Id, decoded.Id);
    }

    [Theory]
    [InlineData("not base64 !")]
    [InlineData("YQ")] // "a": shorter than the prefix
    [InlineData("YWI")] // "ab"
    [InlineData("cDE6")] // "p1:" alone
    [InlineData("YWZ0ZXI6dHhuXzE")] // the previous format, "after:txn_1"
    [InlineData("cDE6MTI6")] // p1:12: with no id
    [InlineData("cDE6eDp0eG4")] // p1:x:txn
    [InlineData("cDE6OTk5OTk5OTk5OTk5OTk5OTk5OTp0")] // ticks beyond the calendar
    public void Anything_else_is_a_clear_invalid_request(string cursor)
    {
        var error = Assert.Throws<PayApiException>(() => ListCursor.Decode(cursor));
        Assert.Equal(ErrorCodes.InvalidRequest, error.Code);
    }
}
