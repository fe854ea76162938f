using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Orleans.Runtime;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// The membership table's layout. Partition key <c>cluster</c> (the cluster id), sort key <c>row</c>: one version
/// row per cluster (<see cref="VersionRow"/>) and one row per silo, keyed by the silo's parsable address
/// (<c>ip:port@generation</c>). Every <see cref="MembershipEntry"/> field has its own attribute, so an operator can
/// read a row in the console and nothing the membership protocol wrote is lost on the way back.
/// </summary>
internal static class DynamoDBMembershipRows
{
    public const string Cluster = "cluster";
    public const string Row = "row";

    // '#' never occurs in a silo address, so the version row cannot collide with a silo's row.
    public const string VersionRow = "#version";

    public const string Version = "version";
    public const string ETag = "etag";
    public const string Status = "status";
    public const string ProxyPort = "proxy_port";
    public const string HostName = "host_name";
    public const string SiloName = "silo_name";
    public const string RoleName = "role_name";
    public const string UpdateZone = "update_zone";
    public const string FaultZone = "fault_zone";
    public const string StartTime = "start_time";
    public const string IAmAliveTime = "i_am_alive_time";
    public const string SuspectTimes = "suspect_times";
    public const string Suspecter = "silo";
    public const string SuspectedAt = "at";

    /// <summary>Epoch seconds after which DynamoDB may delete a dead silo's row; never set on live rows or the version row.</summary>
    public const string ExpiresAt = "expires_at";

    /// <summary>
    /// How long a dead silo's row is kept. Orleans reads dead rows to refuse a restarted silo with the same
    /// address and generation and to show recent deaths; a week is far past any of that, and without an expiry
    /// every deployment of an autoscaled cluster would leave rows behind for ever.
    /// </summary>
    public static readonly TimeSpan DeadRowLifetime = TimeSpan.FromDays(7);

    /// <summary>
    /// The etag a <see cref="TableVersion"/> carries when the cluster has no version row yet (a fresh cluster read
    /// before any silo initialized it, or one whose rows were deleted). Writing with it creates the version row,
    /// and only if there still is none; real etags are 32 hex digits, so it cannot match one.
    /// </summary>
    public const string NoVersionRowETag = "none";

    // Round-trip UTC with all seven fraction digits: what was written reads back to the tick, and the strings sort
    // in time order for anyone filtering in the console.
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static DynamoDBTables.TableSpec Table(DynamoDBOptions options) =>
        new(options.MembershipTable, Cluster, Row, TimeToLiveAttribute: ExpiresAt);

    public static string NewETag() => Guid.NewGuid().ToString("N");

    public static string RowOf(SiloAddress silo) => silo.ToParsableString();

    public static Dictionary<string, AttributeValue> Key(string clusterId, string row) => new()
    {
        [Cluster] = new AttributeValue { S = clusterId },
        [Row] = new AttributeValue { S = row },
    };

    public static bool IsVersionRow(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue(Row, out var row) && row.S == VersionRow;

    public static Dictionary<string, AttributeValue> VersionItem(string clusterId, int version, string etag)
    {
        var item = Key(clusterId, VersionRow);
        item[Version] = Number(version);
        item[ETag] = new AttributeValue { S = etag };
        return item;
    }

    public static TableVersion ToTableVersion(Dictionary<string, AttributeValue>? item) => item is null
        ? new TableVersion(0, NoVersionRowETag)
        : new TableVersion(int.Parse(item[Version].N, CultureInfo.InvariantCulture), item[ETag].S);

    /// <summary>The whole row of one silo: what InsertRow and UpdateRow put, replacing every attribute.</summary>
    public static Dictionary<string, AttributeValue> MemberItem(string clusterId, MembershipEntry entry, string etag, DateTimeOffset now)
    {
        var item = Key(clusterId, RowOf(entry.SiloAddress));
        item[ETag] = new AttributeValue { S = etag };
        item[Status] = Number((int)entry.Status);
        item[ProxyPort] = Number(entry.ProxyPort);
        item[UpdateZone] = Number(entry.UpdateZone);
        item[FaultZone] = Number(entry.FaultZone);
        item[StartTime] = new AttributeValue { S = FormatTime(entry.StartTime) };
        item[IAmAliveTime] = new AttributeValue { S = FormatTime(entry.IAmAliveTime) };
        AddString(item, HostName, entry.HostName);
        AddString(item, SiloName, entry.SiloName);
        AddString(item, RoleName, entry.RoleName);

        // Absent and empty are different lists to Orleans (ToFullString prints them differently), so an empty
        // list is stored as an empty L and a null one not at all.
        if (entry.SuspectTimes is { } votes)
        {
            item[SuspectTimes] = new AttributeValue
            {
                L = [.. votes.Select(vote => new AttributeValue
                {
                    M = new Dictionary<string, AttributeValue>
                    {
                        [Suspecter] = new AttributeValue { S = vote.Item1.ToParsableString() },
                        [SuspectedAt] = new AttributeValue { S = FormatTime(vote.Item2) },
                    },
                })],
            };
        }

        if (entry.Status == SiloStatus.Dead)
        {
            item[ExpiresAt] = Number((now + DeadRowLifetime).ToUnixTimeSeconds());
        }

        return item;
    }

    /// <summary>
    /// Orleans' "last known update" of an entry (its internal <c>EffectiveUpdateTime</c>): the latest of StartTime,
    /// IAmAliveTime and every suspect vote, so a silo declared dead recently counts as recent even if it stopped
    /// saying it was alive long ago. All of them are UTC whatever their kind says, as Orleans treats them.
    /// </summary>
    public static DateTime LastKnownUpdate(MembershipEntry entry)
    {
        var latest = Later(entry.StartTime, entry.IAmAliveTime);
        foreach (var vote in entry.SuspectTimes ?? [])
        {
            latest = Later(latest, vote.Item2);
        }

        return latest;

        static DateTime Later(DateTime a, DateTime b)
        {
            var utcA = DateTime.SpecifyKind(a, DateTimeKind.Utc);
            var utcB = DateTime.SpecifyKind(b, DateTimeKind.Utc);
            return utcA > utcB ? utcA : utcB;
        }
    }

    public static MembershipEntry ToEntry(Dictionary<string, AttributeValue> item)
    {
        var entry = new MembershipEntry
        {
            SiloAddress = SiloAddress.FromParsableString(item[Row].S),
            Status = (SiloStatus)IntOf(item, Status),
            ProxyPort = IntOf(item, ProxyPort),
            UpdateZone = IntOf(item, UpdateZone),
            FaultZone = IntOf(item, FaultZone),
            StartTime = ParseTime(item[StartTime].S),
            IAmAliveTime = ParseTime(item[IAmAliveTime].S),
            HostName = StringOf(item, HostName)!,
            SiloName = StringOf(item, SiloName)!,
            RoleName = StringOf(item, RoleName),
        };

        if (item.TryGetValue(SuspectTimes, out var votes))
        {
            // SDK v4 leaves a collection null when the wire had none; an empty L is still a list.
            entry.SuspectTimes = [.. (votes.L ?? []).Select(vote => Tuple.Create(
                SiloAddress.FromParsableString(vote.M[Suspecter].S),
                ParseTime(vote.M[SuspectedAt].S)))];
        }

        return entry;
    }

    public static string FormatTime(DateTime time) => ToUtc(time).ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTime ParseTime(string text) =>
        DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>
    /// Every row of one cluster, strongly consistent, page by page. <paramref name="projection"/> names the
    /// attributes wanted (null: all of them).
    /// </summary>
    public static async Task<List<Dictionary<string, AttributeValue>>> QueryClusterAsync(
        IAmazonDynamoDB client, string table, string clusterId, IReadOnlyList<string>? projection, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string> { ["#cluster"] = Cluster };
        var request = new QueryRequest
        {
            TableName = table,
            ConsistentRead = true,
            KeyConditionExpression = "#cluster = :cluster",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":cluster"] = new AttributeValue { S = clusterId } },
        };
        if (projection is not null)
        {
            for (var i = 0; i < projection.Count; i++)
            {
                names["#p" + i.ToString(CultureInfo.InvariantCulture)] = projection[i];
            }

            request.ProjectionExpression = string.Join(", ", projection.Select((_, i) => "#p" + i.ToString(CultureInfo.InvariantCulture)));
        }

        request.ExpressionAttributeNames = names;
        return await DynamoDBPages.QueryAllAsync(client, request, cancellationToken);
    }

    // Orleans stamps times with DateTime.UtcNow; an Unspecified kind is taken as UTC, as Orleans itself does.
    private static DateTime ToUtc(DateTime time) => time.Kind == DateTimeKind.Local
        ? time.ToUniversalTime()
        : DateTime.SpecifyKind(time, DateTimeKind.Utc);

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static int IntOf(Dictionary<string, AttributeValue> item, string name) =>
        int.Parse(item[name].N, CultureInfo.InvariantCulture);

    private static string? StringOf(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S : null;

    // A null string is left out rather than stored, so it reads back as null; an empty one is kept as it is.
    private static void AddString(Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = new AttributeValue { S = value };
        }
    }
}
