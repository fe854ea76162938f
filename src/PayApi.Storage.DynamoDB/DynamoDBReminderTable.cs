using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Orleans reminder table in DynamoDB (<see cref="DynamoDBOptions.RemindersTable"/>), laid out so that every read
/// the reminder service makes is a Query or a GetItem, never a Scan.
/// </summary>
/// <remarks>
/// <para>
/// Partition key: <c>&lt;service id&gt;/&lt;bucket&gt;</c>, where the bucket is the top <see cref="BucketBits"/>
/// bits of the grain's uniform hash, so a service's reminders spread over <see cref="BucketCount"/> partitions.
/// Sort key: <c>&lt;hash as 8 hex digits&gt;/&lt;grain id&gt;/&lt;reminder name&gt;</c>. Buckets are contiguous
/// slices of the hash ring, and within one the sort key orders by hash, so a ring range (begin, end] is one
/// BETWEEN Query on each bucket it overlaps: a silo owning a slice of the ring reads one or two partitions,
/// and the whole ring costs <see cref="BucketCount"/> Queries.
/// </para>
/// <para>
/// A grain's reminders share its hash, hence its bucket and sort key prefix: <see cref="ReadRows(GrainId)"/> is one
/// Query, <see cref="ReadRow"/> one GetItem. All reads are strongly consistent. The grain id and reminder name are
/// also stored as plain attributes, because overlong key components are replaced by their hash.
/// </para>
/// </remarks>
public sealed partial class DynamoDBReminderTable : IReminderTable
{
    /// <summary>Bits of the uniform hash that pick the partition.</summary>
    public const int BucketBits = 4;

    /// <summary>Partitions per service.</summary>
    public const int BucketCount = 1 << BucketBits;

    internal const string PartitionAttribute = "pk";
    internal const string SortAttribute = "sk";
    internal const string GrainIdAttribute = "grain_id";
    internal const string NameAttribute = "reminder_name";
    internal const string StartAttribute = "start_at_ticks";
    internal const string PeriodAttribute = "period_ticks";
    internal const string ETagAttribute = "etag";

    // Sort keys are at most 1024 bytes: 8 + 1 + 400 + 1 + 400 leaves room. Partition keys allow 2048.
    private const int MaxComponentBytes = 400;

    private static readonly Dictionary<string, string> KeyNames = new() { ["#pk"] = PartitionAttribute, ["#sk"] = SortAttribute };
    private static readonly Dictionary<string, string> ETagName = new() { ["#etag"] = ETagAttribute };

    private readonly string table;
    private readonly string servicePrefix;
    private readonly IAmazonDynamoDB client;
    private readonly DynamoDBTables tables;
    private readonly ILogger<DynamoDBReminderTable> logger;

    /// <summary>Creates the table object; <see cref="StartAsync"/> (called by the reminder service) creates the table.</summary>
    public DynamoDBReminderTable(
        IAmazonDynamoDB client,
        IOptions<DynamoDBOptions> options,
        DynamoDBTables tables,
        IOptions<ClusterOptions> clusterOptions,
        ILogger<DynamoDBReminderTable> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        table = options.Value.RemindersTable;
        var serviceId = clusterOptions.Value.ServiceId ?? throw new OrleansConfigurationException(
            $"{nameof(ClusterOptions)}.{nameof(ClusterOptions.ServiceId)} must be set: it scopes the stored reminders.");
        servicePrefix = DynamoDBKeyComponent.Encode(serviceId, MaxComponentBytes) + DynamoDBKeyComponent.Separator;
        this.client = client ?? throw new ArgumentNullException(nameof(client));
        this.tables = tables ?? throw new ArgumentNullException(nameof(tables));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Items per Query page; null lets DynamoDB fill 1 MB pages. Tests set it small to exercise paging.</summary>
    internal int? PageLimit { get; init; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await tables.EnsureAsync(new DynamoDBTables.TableSpec(table, PartitionAttribute, SortAttribute), cancellationToken);
        LogInitialized(logger, table);
    }

    /// <inheritdoc />
    public Task Init() => StartAsync(CancellationToken.None);

    /// <inheritdoc />
    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        var hash = grainId.GetUniformHashCode();
        var request = new QueryRequest
        {
            TableName = table,
            ConsistentRead = true,
            Limit = PageLimit,
            KeyConditionExpression = "#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames = KeyNames,
            ExpressionAttributeValues = new()
            {
                [":pk"] = new(PartitionKey(hash)),
                // The grain component ends at a separator it cannot contain, so no other grain shares the prefix.
                [":prefix"] = new(GrainPrefix(hash, grainId)),
            },
        };
        var items = await DynamoDBPages.QueryAllAsync(client, request, CancellationToken.None);
        return new ReminderTableData(items.Select(ToEntry));
    }

    /// <inheritdoc />
    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        // Orleans' ring ranges are (begin, end]; when begin > end the range wraps past uint.MaxValue, and equal
        // bounds mean the whole ring. As inclusive intervals:
        (uint Low, uint High)[] intervals = begin < end ? [(begin + 1, end)]
            : begin == end ? [(0, uint.MaxValue)]
            : begin == uint.MaxValue ? [(0, end)]
            : [(begin + 1, uint.MaxValue), (0, end)];

        var queries = new List<Task<List<Dictionary<string, AttributeValue>>>>();
        foreach (var (low, high) in intervals)
        {
            for (var bucket = Bucket(low); bucket <= Bucket(high); bucket++)
            {
                queries.Add(QueryHashRangeAsync(bucket, low, high));
            }
        }

        var pages = await Task.WhenAll(queries);
        return new ReminderTableData(pages.SelectMany(items => items).Select(ToEntry));
    }

    /// <inheritdoc />
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var request = new GetItemRequest { TableName = table, Key = Key(grainId, reminderName), ConsistentRead = true };
        var response = await DynamoDBCalls.RunAsync(table, "GetItem", ct => client.GetItemAsync(request, ct));
        return response.Item is { Count: > 0 } item ? ToEntry(item) : null;
    }

    /// <inheritdoc />
    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // Upserts are unconditional in Orleans' contract: the incoming ETag is ignored, a new one is issued.
        var etag = Guid.NewGuid().ToString("N");
        var item = Key(entry.GrainId, entry.ReminderName);
        item[GrainIdAttribute] = new(entry.GrainId.ToString());
        item[NameAttribute] = new(entry.ReminderName);
        item[StartAttribute] = new() { N = ToUtc(entry.StartAt).Ticks.ToString(CultureInfo.InvariantCulture) };
        item[PeriodAttribute] = new() { N = entry.Period.Ticks.ToString(CultureInfo.InvariantCulture) };
        item[ETagAttribute] = new(etag);
        await DynamoDBCalls.RunAsync(table, "PutItem", ct => client.PutItemAsync(new PutItemRequest { TableName = table, Item = item }, ct));
        return etag;
    }

    /// <inheritdoc />
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (eTag is null)
        {
            // No stored row carries a null ETag.
            return false;
        }

        var request = new DeleteItemRequest
        {
            TableName = table,
            Key = Key(grainId, reminderName),
            ConditionExpression = "#etag = :etag",
            ExpressionAttributeNames = ETagName,
            ExpressionAttributeValues = new() { [":etag"] = new(eTag) },
        };
        try
        {
            await DynamoDBCalls.RunAsync(table, "DeleteItem", ct => client.DeleteItemAsync(request, ct));
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // A missing row fails the condition too: both mean "not removed by this call".
            return false;
        }
    }

    /// <inheritdoc />
    public async Task TestOnlyClearTable()
    {
        var keys = new List<Dictionary<string, AttributeValue>>();
        for (var bucket = 0; bucket < BucketCount; bucket++)
        {
            var request = new QueryRequest
            {
                TableName = table,
                ConsistentRead = true,
                Limit = PageLimit,
                KeyConditionExpression = "#pk = :pk",
                ProjectionExpression = "#pk, #sk",
                ExpressionAttributeNames = KeyNames,
                ExpressionAttributeValues = new() { [":pk"] = new(BucketKey(bucket)) },
            };
            keys.AddRange(await DynamoDBPages.QueryAllAsync(client, request, CancellationToken.None));
        }

        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) =>
            await DynamoDBCalls.RunAsync(table, "DeleteItem", c => client.DeleteItemAsync(new DeleteItemRequest { TableName = table, Key = key }, c), ct));
    }

    private Task<List<Dictionary<string, AttributeValue>>> QueryHashRangeAsync(int bucket, uint low, uint high)
    {
        var request = new QueryRequest
        {
            TableName = table,
            ConsistentRead = true,
            Limit = PageLimit,
            KeyConditionExpression = "#pk = :pk AND #sk BETWEEN :low AND :high",
            ExpressionAttributeNames = KeyNames,
            ExpressionAttributeValues = new()
            {
                [":pk"] = new(BucketKey(bucket)),
                [":low"] = new(HashText(low)),
                // Every sort key of hash `high` is "<high>/...", and '/' sorts just below '0', so "<high>0" is
                // above all of them and below the first key of the next hash.
                [":high"] = new(HashText(high) + "0"),
            },
        };
        return DynamoDBPages.QueryAllAsync(client, request, CancellationToken.None);
    }

    private static int Bucket(uint hash) => (int)(hash >> (32 - BucketBits));

    private static string HashText(uint hash) => hash.ToString("x8", CultureInfo.InvariantCulture);

    private string PartitionKey(uint hash) => BucketKey(Bucket(hash));

    private string BucketKey(int bucket) => servicePrefix + bucket.ToString("x2", CultureInfo.InvariantCulture);

    private static string GrainPrefix(uint hash, GrainId grainId) =>
        HashText(hash) + DynamoDBKeyComponent.Separator + DynamoDBKeyComponent.Encode(grainId.ToString(), MaxComponentBytes) + DynamoDBKeyComponent.Separator;

    private Dictionary<string, AttributeValue> Key(GrainId grainId, string reminderName)
    {
        var hash = grainId.GetUniformHashCode();
        return new()
        {
            [PartitionAttribute] = new(PartitionKey(hash)),
            [SortAttribute] = new(GrainPrefix(hash, grainId) + DynamoDBKeyComponent.Encode(reminderName, MaxComponentBytes)),
        };
    }

    private static ReminderEntry ToEntry(Dictionary<string, AttributeValue> item) => new()
    {
        GrainId = GrainId.Parse(item[GrainIdAttribute].S),
        ReminderName = item[NameAttribute].S,
        StartAt = new DateTime(long.Parse(item[StartAttribute].N, CultureInfo.InvariantCulture), DateTimeKind.Utc),
        Period = TimeSpan.FromTicks(long.Parse(item[PeriodAttribute].N, CultureInfo.InvariantCulture)),
        ETag = item[ETagAttribute].S,
    };

    // Reminder times are UTC in Orleans; an unspecified kind is taken as already UTC rather than shifted by the
    // machine's time zone.
    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => value,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "DynamoDB reminder table ready on table {Table}")]
    private static partial void LogInitialized(ILogger logger, string table);
}
