using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PayApi.Vault;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// <see cref="IDataKeyStore"/> in its own DynamoDB table (<see cref="DynamoDBOptions.DataKeysTable"/>), one item
/// per connection keyed by connection id. It is apart from the grain state table as <c>keys.db</c> is apart from
/// <c>payapi.db</c>: a restore of grain state alone brings back no key, and counting or rewrapping keys never
/// reads grain state.
/// </summary>
/// <remarks>
/// Every read is strongly consistent: a connection that has just stored its key must find it, and a key deleted
/// by a disconnect must not be read back. An outage throws <see cref="DynamoDBUnavailableException"/>; it never
/// looks like "no key", which would mean "shredded". The table is created on first use.
/// </remarks>
public sealed partial class DynamoDBDataKeyStore : IDataKeyStore, IDisposable
{
    internal const string ConnectionIdAttribute = "connection_id";
    internal const string ClientIdAttribute = "client_id";
    internal const string KeyIdAttribute = "key_id";
    internal const string WrappedAttribute = "wrapped";

    private static readonly Dictionary<string, string> ConnectionIdName = new() { ["#id"] = ConnectionIdAttribute };
    private static readonly Dictionary<string, string> WrappedName = new() { ["#wrapped"] = WrappedAttribute };
    private static readonly Dictionary<string, string> KeyIdName = new() { ["#key"] = KeyIdAttribute };

    private readonly string table;
    private readonly IAmazonDynamoDB client;
    private readonly DynamoDBTableOnFirstUse tableOnFirstUse;

    /// <summary>Creates the store; the table is created on first use.</summary>
    public DynamoDBDataKeyStore(IAmazonDynamoDB client, IOptions<DynamoDBOptions> options, DynamoDBTables tables, ILogger<DynamoDBDataKeyStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        table = options.Value.DataKeysTable;
        this.client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(logger);
        tableOnFirstUse = new DynamoDBTableOnFirstUse(tables, new DynamoDBTables.TableSpec(table, ConnectionIdAttribute), () => LogInitialized(logger, table));
    }

    /// <summary>Items per Scan page of <see cref="CountByKeyIdAsync"/>; null lets DynamoDB fill 1 MB pages. Tests set it small.</summary>
    internal int? CountPageLimit { get; init; }

    /// <inheritdoc />
    public async Task<string?> GetAsync(string connectionId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        await EnsureTableAsync(ct);
        var response = await DynamoDBCalls.RunAsync(table, "GetItem", c => client.GetItemAsync(new GetItemRequest
        {
            TableName = table,
            Key = Key(connectionId),
            ConsistentRead = true,
            ProjectionExpression = "#wrapped",
            ExpressionAttributeNames = WrappedName,
        }, c), ct);
        return response.Item is { Count: > 0 } item && item.TryGetValue(WrappedAttribute, out var wrapped) ? wrapped.S : null;
    }

    /// <inheritdoc />
    public async Task PutAsync(WrappedKeyRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.ConnectionId, nameof(record));
        ArgumentException.ThrowIfNullOrEmpty(record.ClientId, nameof(record));
        ArgumentException.ThrowIfNullOrEmpty(record.KeyId, nameof(record));
        ArgumentException.ThrowIfNullOrEmpty(record.Wrapped, nameof(record));
        await EnsureTableAsync(ct);
        await DynamoDBCalls.RunAsync(table, "PutItem", c => client.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = new()
            {
                [ConnectionIdAttribute] = new(record.ConnectionId),
                [ClientIdAttribute] = new(record.ClientId),
                [KeyIdAttribute] = new(record.KeyId),
                [WrappedAttribute] = new(record.Wrapped),
            },
        }, c), ct);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string connectionId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        await EnsureTableAsync(ct);
        try
        {
            // The condition tells "deleted" from "was not there" without asking DynamoDB to send the key back.
            await DynamoDBCalls.RunAsync(table, "DeleteItem", c => client.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = table,
                Key = Key(connectionId),
                ConditionExpression = "attribute_exists(#id)",
                ExpressionAttributeNames = ConnectionIdName,
            }, c), ct);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, long>> CountByKeyIdAsync(CancellationToken ct)
    {
        await EnsureTableAsync(ct);
        var request = new ScanRequest
        {
            TableName = table,
            ConsistentRead = true,
            Limit = CountPageLimit,
            // Only the key id travels: counting must not pull every wrapped key over the network.
            ProjectionExpression = "#key",
            ExpressionAttributeNames = KeyIdName,
        };
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in DynamoDBPages.ScanAllAsync(client, request, ct))
        {
            var keyId = item[KeyIdAttribute].S;
            counts[keyId] = counts.GetValueOrDefault(keyId) + 1;
        }

        return counts;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A Scan in DynamoDB's own order; the cursor is the connection id DynamoDB stopped at. Items changed by
    /// <see cref="ReplaceAsync"/> keep their place, so a rewrap that pages through the table meets each once.
    /// </remarks>
    public async Task<DataKeyPage> ListAsync(string? cursor, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await EnsureTableAsync(ct);
        var request = new ScanRequest
        {
            TableName = table,
            ConsistentRead = true,
            Limit = limit,
            ExclusiveStartKey = cursor is null ? null : Key(cursor),
        };
        var response = await DynamoDBCalls.RunAsync(table, "Scan", c => client.ScanAsync(request, c), ct);
        var records = (response.Items ?? []).Select(item => new WrappedKeyRecord(
            item[ConnectionIdAttribute].S, item[ClientIdAttribute].S, item[KeyIdAttribute].S, item[WrappedAttribute].S)).ToList();
        var next = response.LastEvaluatedKey is { Count: > 0 } last ? last[ConnectionIdAttribute].S : null;
        return new DataKeyPage(records, next);
    }

    /// <inheritdoc />
    public async Task<bool> ReplaceAsync(string connectionId, string expectedWrapped, string newKeyId, string newWrapped, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionId);
        ArgumentException.ThrowIfNullOrEmpty(expectedWrapped);
        ArgumentException.ThrowIfNullOrEmpty(newKeyId);
        ArgumentException.ThrowIfNullOrEmpty(newWrapped);
        await EnsureTableAsync(ct);
        try
        {
            // The wrapped value is the version check: a concurrent disconnect or re-wrap makes this a no-op, and a
            // missing item fails the condition rather than being created by the update.
            await DynamoDBCalls.RunAsync(table, "UpdateItem", c => client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = table,
                Key = Key(connectionId),
                UpdateExpression = "SET #key = :key, #wrapped = :new",
                ConditionExpression = "#wrapped = :expected",
                ExpressionAttributeNames = new() { ["#key"] = KeyIdAttribute, ["#wrapped"] = WrappedAttribute },
                ExpressionAttributeValues = new()
                {
                    [":key"] = new(newKeyId),
                    [":new"] = new(newWrapped),
                    [":expected"] = new(expectedWrapped),
                },
            }, c), ct);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // The SDK retries a request whose answer was lost; if the first attempt had landed, the retry fails
            // its condition against our own new value, and the swap did happen.
            return string.Equals(await GetAsync(connectionId, ct), newWrapped, StringComparison.Ordinal);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static Dictionary<string, AttributeValue> Key(string connectionId) => new() { [ConnectionIdAttribute] = new(connectionId) };

    private Task EnsureTableAsync(CancellationToken ct) => tableOnFirstUse.EnsureAsync(ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "DynamoDB data key store ready on table {Table}")]
    private static partial void LogInitialized(ILogger logger, string table);
}
