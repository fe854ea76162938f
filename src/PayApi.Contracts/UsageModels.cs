using System.Globalization;

namespace PayApi.Contracts;

/// <summary>A calendar month in UTC, the billing period of usage (<c>YYYY-MM</c> on the wire).</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.UsageMonth")]
public readonly record struct UsageMonth([property: Id(0)] int Year, [property: Id(1)] int Month) : IComparable<UsageMonth>
{
    public static UsageMonth Of(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new UsageMonth(utc.Year, utc.Month);
    }

    /// <summary>Parses <c>YYYY-MM</c> (years 2000 to 9999); nothing else.</summary>
    public static bool TryParse(string? text, out UsageMonth month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || year < 2000 || m is < 1 or > 12)
        {
            return false;
        }

        month = new UsageMonth(year, m);
        return true;
    }

    /// <summary>The first instant of the month.</summary>
    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    public UsageMonth Next => Month == 12 ? new UsageMonth(Year + 1, 1) : new UsageMonth(Year, Month + 1);

    /// <summary>A number that orders months, for compact keys.</summary>
    public int Index => Year * 12 + Month - 1;

    public int CompareTo(UsageMonth other) => Index.CompareTo(other.Index);

    public static bool operator <(UsageMonth a, UsageMonth b) => a.Index < b.Index;

    public static bool operator >(UsageMonth a, UsageMonth b) => a.Index > b.Index;

    public static bool operator <=(UsageMonth a, UsageMonth b) => a.Index <= b.Index;

    public static bool operator >=(UsageMonth a, UsageMonth b) => a.Index >= b.Index;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-{Month:00}");
}

/// <summary>Calls counted for one client in one month, by endpoint (e.g. <c>GET /v1/balance</c>).</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.CallCounts")]
public sealed record CallCounts(
    [property: Id(0)] long Total,
    [property: Id(1)] IReadOnlyDictionary<string, long> ByEndpoint);

/// <summary>
/// Calls one gateway counted since its last flush, for one client and month. <see cref="MeterId"/> and
/// <see cref="Sequence"/> make a flush idempotent: a retry of a flush that did land is recognised and not counted twice.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.UsageFlush")]
public sealed record UsageFlush(
    [property: Id(0)] string MeterId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] IReadOnlyDictionary<string, long> CallsByEndpoint);

/// <summary>A client known to the directory of clients, for the operator's usage export.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ListedClient")]
public sealed record ListedClient(
    [property: Id(0)] string ClientId,
    [property: Id(1)] DateTimeOffset CreatedAt);
