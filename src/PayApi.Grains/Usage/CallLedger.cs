using PayApi.Contracts;

namespace PayApi.Grains.Usage;

/// <summary>
/// The API calls of one client in one month, as flushed by gateways. A flush carries its meter's id and a sequence
/// number; the last sequence applied per meter is kept, so a flush retried after a lost reply is not counted twice.
/// </summary>
[GenerateSerializer]
[Alias("PayApi.CallLedger")]
public sealed class CallLedger
{
    /// <summary>Meters remembered for de-duplication; a gateway process gets a new meter id each start.</summary>
    public const int MetersKept = 256;

    [Id(0)] public long Total { get; set; }
    [Id(1)] public Dictionary<string, long> ByEndpoint { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public Dictionary<string, AppliedFlush> Applied { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Adds the flush's counts; false when it was applied before.</summary>
    public bool Apply(UsageFlush flush, DateTimeOffset now)
    {
        if (Applied.TryGetValue(flush.MeterId, out var last) && flush.Sequence <= last.Sequence)
        {
            return false;
        }

        foreach (var (endpoint, calls) in flush.CallsByEndpoint)
        {
            if (calls <= 0)
            {
                continue;
            }

            ByEndpoint[endpoint] = ByEndpoint.GetValueOrDefault(endpoint) + calls;
            Total += calls;
        }

        Applied[flush.MeterId] = new AppliedFlush(flush.Sequence, now);
        if (Applied.Count > MetersKept)
        {
            Applied.Remove(Applied.MinBy(a => a.Value.At).Key);
        }

        return true;
    }

    public CallCounts Snapshot() => new(Total, new Dictionary<string, long>(ByEndpoint, StringComparer.Ordinal));
}

/// <summary>The newest flush applied from one meter.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.AppliedFlush")]
public sealed record AppliedFlush([property: Id(0)] long Sequence, [property: Id(1)] DateTimeOffset At);
