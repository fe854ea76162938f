using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Creates a table when it is missing (on-demand billing, optionally a TTL attribute) and waits until it is
/// active. Several silos starting at once may race to create one table; the loser sees it exists and waits.
/// </summary>
public sealed partial class DynamoDBTables(IAmazonDynamoDB client, DynamoDBOptions options, ILogger<DynamoDBTables> logger)
{
    private static readonly TimeSpan ActiveWait = TimeSpan.FromMinutes(2);

    /// <summary>One table's shape: a string partition key, an optional sort key, an optional TTL attribute.</summary>
    public sealed record TableSpec(string Name, string PartitionKey, string? SortKey = null, ScalarAttributeType? SortKeyType = null, string? TimeToLiveAttribute = null);

    public async Task EnsureAsync(TableSpec spec, CancellationToken cancellationToken)
    {
        if (!options.CreateTables)
        {
            await WaitUntilActiveAsync(spec.Name, cancellationToken);
            return;
        }

        var status = await DescribeStatusAsync(spec.Name, cancellationToken);
        if (status is null)
        {
            await CreateAsync(spec, cancellationToken);
        }

        await WaitUntilActiveAsync(spec.Name, cancellationToken);
        if (spec.TimeToLiveAttribute is not null)
        {
            await EnableTimeToLiveAsync(spec.Name, spec.TimeToLiveAttribute, cancellationToken);
        }
    }

    private async Task CreateAsync(TableSpec spec, CancellationToken cancellationToken)
    {
        var request = new CreateTableRequest
        {
            TableName = spec.Name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            KeySchema = [new KeySchemaElement(spec.PartitionKey, KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition(spec.PartitionKey, ScalarAttributeType.S)],
        };
        if (spec.SortKey is not null)
        {
            request.KeySchema.Add(new KeySchemaElement(spec.SortKey, KeyType.RANGE));
            request.AttributeDefinitions.Add(new AttributeDefinition(spec.SortKey, spec.SortKeyType ?? ScalarAttributeType.S));
        }

        try
        {
            await DynamoDBCalls.RunAsync(spec.Name, "CreateTable", ct => client.CreateTableAsync(request, ct), cancellationToken);
            LogCreated(logger, spec.Name);
        }
        catch (ResourceInUseException)
        {
            // Another silo created it first.
        }
    }

    private async Task EnableTimeToLiveAsync(string table, string attribute, CancellationToken cancellationToken)
    {
        var described = await DynamoDBCalls.RunAsync(table, "DescribeTimeToLive",
            ct => client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = table }, ct), cancellationToken);
        var current = described.TimeToLiveDescription;
        if (current?.TimeToLiveStatus == TimeToLiveStatus.ENABLED || current?.TimeToLiveStatus == TimeToLiveStatus.ENABLING)
        {
            return;
        }

        try
        {
            await DynamoDBCalls.RunAsync(table, "UpdateTimeToLive", ct => client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = table,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = attribute, Enabled = true },
            }, ct), cancellationToken);
        }
        catch (AmazonDynamoDBException e) when (e.ErrorCode == "ValidationException" && e.Message.Contains("already enabled", StringComparison.OrdinalIgnoreCase))
        {
            // Another silo enabled it between our describe and update.
        }
    }

    private async Task WaitUntilActiveAsync(string table, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ActiveWait;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var status = await DescribeStatusAsync(table, cancellationToken);
            if (status == TableStatus.ACTIVE || status == TableStatus.UPDATING)
            {
                return;
            }

            if (status is null && !options.CreateTables)
            {
                throw new DynamoDBUnavailableException(
                    $"DynamoDB table {table} does not exist, and PayApi:DynamoDB:CreateTables is off: create it, or turn creation on.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new DynamoDBUnavailableException($"DynamoDB table {table} is still {status?.Value ?? "missing"} after {ActiveWait.TotalSeconds:0} s.");
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }

    private async Task<TableStatus?> DescribeStatusAsync(string table, CancellationToken cancellationToken)
    {
        try
        {
            var described = await DynamoDBCalls.RunAsync(table, "DescribeTable",
                ct => client.DescribeTableAsync(new DescribeTableRequest { TableName = table }, ct), cancellationToken);
            return described.Table.TableStatus;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created DynamoDB table {Table} (on-demand billing)")]
    private static partial void LogCreated(ILogger logger, string table);
}
