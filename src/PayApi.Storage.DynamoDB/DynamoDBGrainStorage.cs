using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Orleans grain storage in one DynamoDB table (<see cref="DynamoDBOptions.GrainStateTable"/>), one item per
/// (service id, state name, grain id), keyed <c>&lt;service id&gt;/&lt;state name&gt;/&lt;grain id&gt;</c>.
/// </summary>
/// <remarks>
/// ETags follow Orleans' optimistic concurrency rules, exactly as the SQLite storage does: a null ETag means
/// "insert only if absent", any other ETag must match the stored one, or <see cref="InconsistentStateException"/>
/// is thrown and nothing changes. Each write gets a fresh random ETag, so an ETag held from before a clear
/// never matches a re-created item. Clearing deletes the item rather than keeping a tombstone. Reads are
/// strongly consistent: a grain reactivated elsewhere must see the last write. A state too large for one item
/// is refused before the request with <see cref="GrainStateTooLargeException"/>, never truncated.
/// </remarks>
public sealed partial class DynamoDBGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Bytes kept free under DynamoDB's limit, in case its count differs from ours in some detail.</summary>
    public const int SafetyMarginBytes = 1024;

    /// <summary>The largest item this storage writes.</summary>
    public const int MaxItemBytes = DynamoDBItemSize.MaxItemBytes - SafetyMarginBytes;

    internal const string KeyAttribute = "pk";
    internal const string PayloadAttribute = "payload";
    internal const string ETagAttribute = "etag";
    internal const string ModifiedAttribute = "modified_utc";

    // Escaped service id and state name stay well inside the 2048-byte partition key together with a grain id
    // of up to 1024 bytes; longer components are replaced by their hash (see DynamoDBKeyComponent).
    private const int MaxServiceIdBytes = 400;
    private const int MaxStateNameBytes = 400;
    private const int MaxGrainIdBytes = 1024;

    private static readonly Dictionary<string, string> KeyName = new() { ["#pk"] = KeyAttribute };
    private static readonly Dictionary<string, string> ETagName = new() { ["#etag"] = ETagAttribute };

    private readonly string name;
    private readonly string table;
    private readonly string servicePrefix;
    private readonly IAmazonDynamoDB client;
    private readonly DynamoDBTables tables;
    private readonly IGrainStorageSerializer serializer;
    private readonly IActivatorProvider activatorProvider;
    private readonly ILogger<DynamoDBGrainStorage> logger;
    private readonly TimeProvider timeProvider;

    /// <summary>Creates the storage; call <see cref="InitializeAsync"/> (the silo lifecycle does) before use.</summary>
    public DynamoDBGrainStorage(
        string name,
        DynamoDBGrainStorageOptions storageOptions,
        IAmazonDynamoDB client,
        IOptions<DynamoDBOptions> options,
        DynamoDBTables tables,
        IOptions<ClusterOptions> clusterOptions,
        IActivatorProvider activatorProvider,
        ILogger<DynamoDBGrainStorage> logger,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(storageOptions);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clusterOptions);
        this.name = name;
        table = options.Value.GrainStateTable;
        serializer = storageOptions.GrainStorageSerializer ?? throw new OrleansConfigurationException(
            $"{nameof(DynamoDBGrainStorageOptions)} for grain storage '{name}': {nameof(DynamoDBGrainStorageOptions.GrainStorageSerializer)} is not set.");
        var serviceId = clusterOptions.Value.ServiceId ?? throw new OrleansConfigurationException(
            $"{nameof(ClusterOptions)}.{nameof(ClusterOptions.ServiceId)} must be set: it scopes the stored grain state.");
        servicePrefix = DynamoDBKeyComponent.Encode(serviceId, MaxServiceIdBytes) + DynamoDBKeyComponent.Separator;
        this.client = client ?? throw new ArgumentNullException(nameof(client));
        this.tables = tables ?? throw new ArgumentNullException(nameof(tables));
        this.activatorProvider = activatorProvider ?? throw new ArgumentNullException(nameof(activatorProvider));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Factory used by the hosting extensions: resolves the named options from the container.</summary>
    internal static DynamoDBGrainStorage Create(IServiceProvider services, string name)
    {
        var storageOptions = services.GetRequiredService<IOptionsMonitor<DynamoDBGrainStorageOptions>>().Get(name);
        return ActivatorUtilities.CreateInstance<DynamoDBGrainStorage>(services, name, storageOptions);
    }

    /// <summary>Creates the table if it is missing (and creation is on) and waits until it is active.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await tables.EnsureAsync(new DynamoDBTables.TableSpec(table, KeyAttribute), cancellationToken);
        LogInitialized(logger, name, table);
    }

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        // ApplicationServices is where Orleans' own storage providers initialize: before any grain activates.
        lifecycle.Subscribe(OptionFormattingUtilities.Name<DynamoDBGrainStorage>(name), ServiceLifecycleStage.ApplicationServices, InitializeAsync);
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var request = new GetItemRequest
        {
            TableName = table,
            Key = Key(stateName, grainId),
            ConsistentRead = true,
        };
        var response = await DynamoDBCalls.RunAsync(table, "GetItem", ct => client.GetItemAsync(request, ct));
        if (response.Item is { Count: > 0 } item)
        {
            grainState.State = serializer.Deserialize<T>(Payload(item[PayloadAttribute]));
            grainState.ETag = item[ETagAttribute].S;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.State = activatorProvider.GetActivator<T>().Create();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = serializer.Serialize(grainState.State).ToArray();
        var newETag = Guid.NewGuid().ToString("N");
        var expectedETag = grainState.ETag;
        var key = Key(stateName, grainId);
        var item = new Dictionary<string, AttributeValue>(key)
        {
            [PayloadAttribute] = new() { B = new MemoryStream(payload) },
            [ETagAttribute] = new(newETag),
            [ModifiedAttribute] = new(timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)),
        };

        // Before the request: DynamoDB would refuse the item with a bare ValidationException, and a caller
        // must learn which grain and state outgrew the limit.
        var size = DynamoDBItemSize.Of(item);
        if (size > MaxItemBytes)
        {
            LogTooLarge(logger, name, stateName, grainId, size, MaxItemBytes);
            throw new GrainStateTooLargeException(grainId.ToString(), stateName, size, MaxItemBytes);
        }

        var (condition, names, values) = ETagCondition(expectedETag);
        var request = new PutItemRequest
        {
            TableName = table,
            Item = item,
            ConditionExpression = condition,
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        };

        try
        {
            await DynamoDBCalls.RunAsync(table, "PutItem", ct => client.PutItemAsync(request, ct));
        }
        catch (ConditionalCheckFailedException)
        {
            var stored = await ReadStoredETagAsync(key);
            // The SDK retries a request whose answer was lost (a timeout, a dropped connection); when the first
            // attempt had landed, the retry fails its condition against our own new ETag. That write succeeded.
            if (!string.Equals(stored, newETag, StringComparison.Ordinal))
            {
                throw Inconsistent("write", stateName, grainId, stored, expectedETag);
            }
        }

        grainState.ETag = newETag;
        grainState.RecordExists = true;
    }

    // Orleans' optimistic concurrency as a DynamoDB condition: no ETag means "only if absent", any other ETag
    // must equal the stored one.
    private static (string Condition, Dictionary<string, string> Names, Dictionary<string, AttributeValue>? Values) ETagCondition(string? expectedETag) =>
        expectedETag is null
            ? ("attribute_not_exists(#pk)", KeyName, null)
            : ("#etag = :etag", ETagName, new() { [":etag"] = new(expectedETag) });

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expectedETag = grainState.ETag;
        var key = Key(stateName, grainId);
        // A null ETag claims nothing is stored: deleting nothing is fine, an existing item is a conflict.
        var (condition, names, values) = ETagCondition(expectedETag);
        var request = new DeleteItemRequest
        {
            TableName = table,
            Key = key,
            ConditionExpression = condition,
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        };

        try
        {
            await DynamoDBCalls.RunAsync(table, "DeleteItem", ct => client.DeleteItemAsync(request, ct));
        }
        catch (ConditionalCheckFailedException)
        {
            throw Inconsistent("clear", stateName, grainId, await ReadStoredETagAsync(key), expectedETag);
        }

        grainState.State = activatorProvider.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private Dictionary<string, AttributeValue> Key(string stateName, GrainId grainId) => new()
    {
        [KeyAttribute] = new(servicePrefix
            + DynamoDBKeyComponent.Encode(stateName, MaxStateNameBytes)
            + DynamoDBKeyComponent.Separator
            + DynamoDBKeyComponent.Encode(grainId.ToString(), MaxGrainIdBytes)),
    };

    private static BinaryData Payload(AttributeValue value)
    {
        var stream = value.B ?? throw new InvalidDataException($"Grain state item has no binary '{PayloadAttribute}' attribute.");
        return stream.TryGetBuffer(out var buffer) ? new BinaryData(buffer.AsMemory()) : new BinaryData(stream.ToArray());
    }

    // Only to word the conflict (and to recognise our own retried write): the conflict itself was decided by
    // DynamoDB's condition. If this read fails too, the conflict still stands.
    private async Task<string?> ReadStoredETagAsync(Dictionary<string, AttributeValue> key)
    {
        try
        {
            var response = await DynamoDBCalls.RunAsync(table, "GetItem", ct => client.GetItemAsync(new GetItemRequest
            {
                TableName = table,
                Key = key,
                ConsistentRead = true,
                ProjectionExpression = "#etag",
                ExpressionAttributeNames = ETagName,
            }, ct));
            return response.Item is { Count: > 0 } item && item.TryGetValue(ETagAttribute, out var etag) ? etag.S : null;
        }
        catch (DynamoDBUnavailableException)
        {
            return "<unknown>";
        }
    }

    private InconsistentStateException Inconsistent(string operation, string stateName, GrainId grainId, string? storedETag, string? expectedETag) =>
        new($"ETag mismatch on {operation} of state '{stateName}' for grain {grainId} in DynamoDB storage '{name}': " +
            $"stored {storedETag ?? "<none>"}, supplied {expectedETag ?? "<none>"}.",
            storedETag,
            expectedETag);

    [LoggerMessage(Level = LogLevel.Information, Message = "DynamoDB grain storage '{StorageName}' ready on table {Table}")]
    private static partial void LogInitialized(ILogger logger, string storageName, string table);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DynamoDB grain storage '{StorageName}': state '{StateName}' of grain {GrainId} is {Size} bytes, over the {Limit}-byte item limit; not written")]
    private static partial void LogTooLarge(ILogger logger, string storageName, string stateName, GrainId grainId, long size, long limit);
}
