using System.Globalization;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.ProviderData;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// <see cref="IChunkStore"/> on DynamoDB (<see cref="DynamoDBOptions.ProviderDataTable"/>): one item per chunk,
/// keyed by connection id and chunk name, so a connection's chunks are one Query away. A chunk larger than
/// <see cref="DynamoDBOptions.InlineChunkLimit"/> is an object of the <see cref="IChunkObjectStore"/> (S3), and its
/// item holds the object's key: the item is written after the object, so an item never points at nothing.
/// </summary>
public sealed partial class DynamoDBChunkStore : IChunkStore
{
    internal const string ConnectionIdAttribute = "connection_id";
    internal const string NameAttribute = "name";
    internal const string SealedAttribute = "sealed";
    internal const string ObjectKeyAttribute = "object_key";
    internal const string SizeAttribute = "size";

    private const int BatchWriteLimit = 25;

    // Without an object store every chunk is an item: up to this, which leaves room below DynamoDB's 400 KB for the keys.
    private const int ItemOnlyLimit = 350 * 1024;

    private static readonly Dictionary<string, string> NameNames = new() { ["#id"] = ConnectionIdAttribute, ["#name"] = NameAttribute, ["#object"] = ObjectKeyAttribute };

    private readonly IAmazonDynamoDB _client;
    private readonly IChunkObjectStore? _objects;
    private readonly string _table;
    private readonly int _inlineLimit;
    private readonly DynamoDBTableOnFirstUse _tableOnFirstUse;

    /// <summary>
    /// Creates the store; the table is created on first use. Without <paramref name="objects"/> every chunk is an item
    /// (chunks stay far below the item limit; the inline limit then does not apply).
    /// </summary>
    public DynamoDBChunkStore(
        IAmazonDynamoDB client, IOptions<DynamoDBOptions> options, DynamoDBTables tables, ILogger<DynamoDBChunkStore> logger, IChunkObjectStore? objects = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _objects = objects;
        _table = options.Value.ProviderDataTable;
        _inlineLimit = objects is null ? ItemOnlyLimit : options.Value.InlineChunkLimit;
        _tableOnFirstUse = new DynamoDBTableOnFirstUse(
            tables, new DynamoDBTables.TableSpec(_table, ConnectionIdAttribute, NameAttribute), () => LogReady(logger, _table));
    }

    /// <summary>The object key of a large chunk: one folder per connection, so a disconnect can also clear what a crashed write left.</summary>
    public static string ObjectKeyOf(string connectionId, string name) => $"{ObjectFolderOf(connectionId)}{name}";

    public async Task PutAsync(string connectionId, string name, string sealedChunk, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ChunkName.Validate(name);
        ArgumentException.ThrowIfNullOrEmpty(sealedChunk);
        await _tableOnFirstUse.EnsureAsync(ct);
        var item = Key(connectionId, name);
        var size = Encoding.UTF8.GetByteCount(sealedChunk);
        if (size <= _inlineLimit)
        {
            item[SealedAttribute] = new AttributeValue(sealedChunk);
        }
        else
        {
            if (_objects is null)
            {
                // DynamoDB refuses items over 400 KB; say which setting is missing rather than letting it fail vaguely.
                throw new InvalidOperationException(
                    $"A {size}-byte chunk does not fit a DynamoDB item ({_inlineLimit} bytes at most) and no object store is configured for large chunks: set PayApi:Artifacts:Provider to S3.");
            }

            var objectKey = ObjectKeyOf(connectionId, name);
            await _objects.PutAsync(objectKey, Encoding.UTF8.GetBytes(sealedChunk), ct);
            item[ObjectKeyAttribute] = new AttributeValue(objectKey);
            item[SizeAttribute] = new AttributeValue { N = size.ToString(CultureInfo.InvariantCulture) };
        }

        await DynamoDBCalls.RunAsync(_table, "PutItem", c => _client.PutItemAsync(new PutItemRequest { TableName = _table, Item = item }, c), ct);
    }

    public async Task<string?> GetAsync(string connectionId, string name, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ChunkName.Validate(name);
        await _tableOnFirstUse.EnsureAsync(ct);
        var response = await DynamoDBCalls.RunAsync(_table, "GetItem", c => _client.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = Key(connectionId, name),
            ConsistentRead = true,
        }, c), ct);
        if (response.Item is not { Count: > 0 } item)
        {
            return null;
        }

        if (item.TryGetValue(SealedAttribute, out var inline))
        {
            return inline.S;
        }

        if (item.TryGetValue(ObjectKeyAttribute, out var objectKey) && _objects is not null
            && await _objects.GetAsync(objectKey.S, ct) is { } content)
        {
            return Encoding.UTF8.GetString(content);
        }

        return null;
    }

    /// <remarks>Items, and with S3 also objects whose item was never written (a crash between the two), so a clean-up removes those too.</remarks>
    public async Task<IReadOnlyList<string>> ListAsync(string connectionId, CancellationToken ct)
    {
        var names = (await QueryAsync(connectionId, ct)).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        if (_objects is not null)
        {
            var folder = ObjectFolderOf(connectionId);
            names.UnionWith((await _objects.ListAsync(folder, ct)).Select(key => key[folder.Length..]));
        }

        return [.. names];
    }

    public async Task DeleteAsync(string connectionId, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return;
        }

        await _tableOnFirstUse.EnsureAsync(ct);
        if (_objects is not null)
        {
            // Objects first: if their delete fails, the items still name them and a later clean-up finds them.
            await _objects.DeleteAsync(names.Select(n => ObjectKeyOf(connectionId, n)).ToList(), ct);
        }

        await DeleteItemsAsync(connectionId, names, ct);
    }

    public async Task<int> DeleteAllAsync(string connectionId, CancellationToken ct)
    {
        var items = await QueryAsync(connectionId, ct);
        if (_objects is not null)
        {
            // Objects first, and listed rather than taken from the items: an object whose item was never written (a
            // crash between the two) goes too, and a failure here leaves the items to find them again.
            var objects = await _objects.ListAsync(ObjectFolderOf(connectionId), ct);
            if (objects.Count > 0)
            {
                await _objects.DeleteAsync(objects, ct);
            }
        }

        await DeleteItemsAsync(connectionId, items.Select(i => i.Name).ToList(), ct);
        return items.Count;
    }

    private async Task<List<(string Name, string? ObjectKey)>> QueryAsync(string connectionId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        await _tableOnFirstUse.EnsureAsync(ct);
        var items = await DynamoDBPages.QueryAllAsync(_client, new QueryRequest
        {
            TableName = _table,
            KeyConditionExpression = "#id = :id",
            ExpressionAttributeNames = NameNames,
            ExpressionAttributeValues = new() { [":id"] = new AttributeValue(connectionId) },
            ProjectionExpression = "#name, #object",
            ConsistentRead = true,
        }, ct);
        return items.Select(i => (i[NameAttribute].S, i.TryGetValue(ObjectKeyAttribute, out var o) ? o.S : null)).ToList();
    }

    private async Task DeleteItemsAsync(string connectionId, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        foreach (var batch in names.Chunk(BatchWriteLimit))
        {
            var requests = batch.Select(name => new WriteRequest { DeleteRequest = new DeleteRequest { Key = Key(connectionId, name) } }).ToList();
            var pending = new Dictionary<string, List<WriteRequest>> { [_table] = requests };
            var delay = TimeSpan.FromMilliseconds(50);
            for (var attempt = 0; pending is { Count: > 0 }; attempt++)
            {
                if (attempt > 0)
                {
                    // DynamoDB hands back what it could not do under load; those are sent again after a pause.
                    if (attempt > 8)
                    {
                        throw new DynamoDBUnavailableException($"DynamoDB table {_table}: BatchWriteItem left items unprocessed after {attempt} attempts.");
                    }

                    await Task.Delay(delay, ct);
                    delay *= 2;
                }

                var request = new BatchWriteItemRequest { RequestItems = pending };
                var response = await DynamoDBCalls.RunAsync(_table, "BatchWriteItem", c => _client.BatchWriteItemAsync(request, c), ct);
                pending = response.UnprocessedItems;
            }
        }
    }

    private static string ObjectFolderOf(string connectionId) => $"provider-data/{connectionId}/";

    private static Dictionary<string, AttributeValue> Key(string connectionId, string name) => new()
    {
        [ConnectionIdAttribute] = new AttributeValue(connectionId),
        [NameAttribute] = new AttributeValue(name),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "DynamoDB provider data store ready on table {Table}")]
    private static partial void LogReady(ILogger logger, string table);
}
