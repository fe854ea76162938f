using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Rows = PayApi.Storage.DynamoDB.DynamoDBMembershipRows;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Orleans cluster membership on DynamoDB: one table (<see cref="DynamoDBOptions.MembershipTable"/>), partitioned by
/// cluster id, with a version row per cluster and a row per silo. Inserting or updating a silo's row and bumping the
/// version row happen in one <c>TransactWriteItems</c>, conditioned on the version row's etag (and the silo row's
/// etag, or its absence), so of two silos writing from the same table version exactly one wins and the other gets
/// <c>false</c>. Every read is strongly consistent. An outage surfaces as <see cref="DynamoDBUnavailableException"/>,
/// never as a <c>false</c> the protocol would mistake for losing a race.
/// </summary>
public sealed partial class DynamoDBMembershipTable(
    IAmazonDynamoDB client,
    DynamoDBTables tables,
    IOptions<DynamoDBOptions> options,
    IOptions<ClusterOptions> clusterOptions,
    TimeProvider timeProvider,
    ILogger<DynamoDBMembershipTable> logger) : IMembershipTable
{
    // A snapshot is retried while writers keep moving the version between its first and last read. Membership
    // writes are rare (a silo joining, leaving or being voted dead), so one retry is the usual worst case; when
    // many silos write at once (a mass restart, a vote on a dead silo) the jittered backoff lets them drain
    // instead of every reader losing to every writer. Past the last attempt the caller's own retry takes over.
    private const int SnapshotAttempts = 30;
    private static readonly TimeSpan SnapshotFirstBackoff = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan SnapshotMaxBackoff = TimeSpan.FromMilliseconds(250);

    // DynamoDB's BatchWriteItem limit.
    private const int BatchSize = 25;

    private readonly string _table = options.Value.MembershipTable;
    private readonly string _clusterId = clusterOptions.Value.ClusterId
        ?? throw new InvalidOperationException("ClusterOptions.ClusterId is required for DynamoDB membership.");

    [Obsolete("Use InitializeMembershipTableAsync instead.")]
    public Task InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion, CancellationToken.None);

    [Obsolete("Use DeleteMembershipTableEntriesAsync instead.")]
    public Task DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId, CancellationToken.None);

    [Obsolete("Use CleanupDefunctSiloEntriesAsync instead.")]
    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate, CancellationToken.None);

    [Obsolete("Use ReadRowAsync instead.")]
    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadRowAsync(key, CancellationToken.None);

    [Obsolete("Use ReadAllAsync instead.")]
    public Task<MembershipTableData> ReadAll() => ReadAllAsync(CancellationToken.None);

    [Obsolete("Use InsertRowAsync instead.")]
    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion, CancellationToken.None);

    [Obsolete("Use UpdateRowAsync instead.")]
    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => UpdateRowAsync(entry, etag, tableVersion, CancellationToken.None);

    [Obsolete("Use UpdateIAmAliveAsync instead.")]
    public Task UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry, CancellationToken.None);

    /// <summary>Creates the table if it is missing and, when asked, the cluster's version row (version 0) if that is missing.</summary>
    public async Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken = default)
    {
        await tables.EnsureAsync(Rows.Table(options.Value), cancellationToken);
        if (!tryInitTableVersion)
        {
            return;
        }

        // Every silo tries; the first one creates version 0, the others find it there and leave it alone.
        try
        {
            await DynamoDBCalls.RunAsync(_table, "PutItem", ct => client.PutItemAsync(new PutItemRequest
            {
                TableName = _table,
                Item = Rows.VersionItem(_clusterId, 0, Rows.NewETag()),
                ConditionExpression = "attribute_not_exists(#row)",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#row"] = Rows.Row },
            }, ct), cancellationToken);
            LogVersionRowCreated(logger, _clusterId, _table);
        }
        catch (ConditionalCheckFailedException)
        {
            // Already there: another silo, or an earlier run of this cluster.
        }
    }

    /// <summary>Deletes every row of <paramref name="clusterId"/>, its version row included.</summary>
    public async Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(clusterId);
        var keys = (await Rows.QueryClusterAsync(client, _table, clusterId, [Rows.Cluster, Rows.Row], cancellationToken))
            .Select(item => Rows.Key(clusterId, item[Rows.Row].S))
            .ToList();
        foreach (var batch in keys.Chunk(BatchSize))
        {
            await DeleteBatchAsync(batch, cancellationToken);
        }

        LogClusterDeleted(logger, clusterId, keys.Count, _table);
    }

    /// <summary>
    /// Deletes the rows of Dead silos whose last known update (the latest of StartTime, IAmAliveTime and their
    /// suspect votes) is before <paramref name="beforeDate"/>. Orleans 10.4 narrowed this from "not Active" to
    /// Dead only: its cleanup agent keeps a number of recent dead rows and relies on nothing else going.
    /// Not a membership change, so the version is left alone.
    /// </summary>
    public async Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default)
    {
        var defunct = (await Rows.QueryClusterAsync(client, _table, _clusterId, null, cancellationToken))
            .Where(item => !Rows.IsVersionRow(item) && item.ContainsKey(Rows.ETag) && item.ContainsKey(Rows.IAmAliveTime))
            .Where(item => TryParse(item) is { Status: SiloStatus.Dead } entry && Rows.LastKnownUpdate(entry) < beforeDate.UtcDateTime)
            .ToList();

        var deleted = 0;
        await Parallel.ForEachAsync(defunct, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            // Only the row as judged: one that was rewritten or said it was alive meanwhile is no longer defunct.
            try
            {
                await DynamoDBCalls.RunAsync(_table, "DeleteItem", inner => client.DeleteItemAsync(new DeleteItemRequest
                {
                    TableName = _table,
                    Key = Rows.Key(_clusterId, item[Rows.Row].S),
                    ConditionExpression = "#etag = :etag AND #alive = :alive",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#etag"] = Rows.ETag, ["#alive"] = Rows.IAmAliveTime },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":etag"] = item[Rows.ETag],
                        [":alive"] = item[Rows.IAmAliveTime],
                    },
                }, inner), ct);
                Interlocked.Increment(ref deleted);
            }
            catch (ConditionalCheckFailedException)
            {
                // Changed since it was read: not defunct after all.
            }
        });

        if (deleted > 0)
        {
            LogDefunctDeleted(logger, deleted, _clusterId, beforeDate);
        }
    }

    /// <summary>One silo's row (none if it has no row) and the table version, as of one moment.</summary>
    public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ReadSnapshotAsync("ReadRow", async ct =>
        {
            var response = await DynamoDBCalls.RunAsync(_table, "GetItem", inner => client.GetItemAsync(new GetItemRequest
            {
                TableName = _table,
                Key = Rows.Key(_clusterId, Rows.RowOf(key)),
                ConsistentRead = true,
            }, inner), ct);
            return response.Item is { Count: > 0 } item ? [item] : [];
        }, cancellationToken);
    }

    /// <summary>Every silo's row and the table version, as of one moment.</summary>
    public Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default) =>
        ReadSnapshotAsync("ReadAll", async ct =>
            (await Rows.QueryClusterAsync(client, _table, _clusterId, null, ct)).Where(item => !Rows.IsVersionRow(item)).ToList(),
            cancellationToken);

    /// <summary>Adds a silo's row and moves the version, both or neither; false if the row exists or the version etag is stale.</summary>
    public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var member = new Put
        {
            TableName = _table,
            Item = Rows.MemberItem(_clusterId, entry, Rows.NewETag(), timeProvider.GetUtcNow()),
            ConditionExpression = "attribute_not_exists(#row)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#row"] = Rows.Row },
        };
        return WriteWithVersionAsync("InsertRow", entry, new TransactWriteItem { Put = member }, tableVersion, cancellationToken);
    }

    /// <summary>
    /// Replaces a silo's row and moves the version, both or neither; false if the row is missing, its etag or the
    /// version etag is stale. (Orleans 10.4 makes checking the row etag optional; this table checks it.)
    /// </summary>
    public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        if (string.IsNullOrEmpty(etag))
        {
            // No row was ever read with an empty etag; there is nothing it could match.
            return Task.FromResult(false);
        }

        // A whole-row Put: the new entry replaces the old one entirely, including a suspect list that has shrunk
        // and an expiry that a status other than Dead must not keep.
        var member = new Put
        {
            TableName = _table,
            Item = Rows.MemberItem(_clusterId, entry, Rows.NewETag(), timeProvider.GetUtcNow()),
            ConditionExpression = "#etag = :etag",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#etag"] = Rows.ETag },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":etag"] = new AttributeValue { S = etag } },
        };
        return WriteWithVersionAsync("UpdateRow", entry, new TransactWriteItem { Put = member }, tableVersion, cancellationToken);
    }

    /// <summary>The heartbeat: writes only IAmAliveTime, leaving the row etag and the table version as they are.</summary>
    public async Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);

        // Only the one attribute: a row etag read before the heartbeat stays good for UpdateRow, as Orleans requires.
        // The condition keeps it from creating a stub row for a silo whose row is gone.
        try
        {
            await DynamoDBCalls.RunAsync(_table, "UpdateItem", ct => client.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = Rows.Key(_clusterId, Rows.RowOf(entry.SiloAddress)),
                UpdateExpression = "SET #alive = :alive",
                ConditionExpression = "attribute_exists(#row)",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#alive"] = Rows.IAmAliveTime, ["#row"] = Rows.Row },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":alive"] = new AttributeValue { S = Rows.FormatTime(entry.IAmAliveTime) },
                },
            }, ct), cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Orleans says this never fails for table reasons; the silo learns that its row is gone from its next
            // read of the table, which is what decides its fate.
            LogIAmAliveRowMissing(logger, entry.SiloAddress, _clusterId);
        }
    }

    // A snapshot is the version row read before and after the members: if its etag did not change, no
    // InsertRow/UpdateRow committed in between (each one replaces that etag), so the members read are exactly
    // those of that version. A single Query is not isolated from transactions and could pair a new version with
    // an old member row or the other way round.
    private async Task<MembershipTableData> ReadSnapshotAsync(
        string operation, Func<CancellationToken, Task<List<Dictionary<string, AttributeValue>>>> readMembers, CancellationToken cancellationToken)
    {
        var backoff = SnapshotFirstBackoff;
        for (var attempt = 1; attempt <= SnapshotAttempts; attempt++)
        {
            var before = await ReadVersionAsync(cancellationToken);
            var members = await readMembers(cancellationToken);
            var after = await ReadVersionAsync(cancellationToken);
            if (before.Version == after.Version && before.VersionEtag == after.VersionEtag)
            {
                var entries = members
                    .Select(item => (Entry: TryParse(item), ETag: item.GetValueOrDefault(Rows.ETag)?.S))
                    .Where(row => row.Entry is not null && row.ETag is not null)
                    .Select(row => Tuple.Create(row.Entry!, row.ETag!))
                    .ToList();
                return new MembershipTableData(entries, before);
            }

            LogSnapshotMoved(logger, operation, before, after, attempt);
            if (attempt < SnapshotAttempts)
            {
                await Task.Delay(backoff * (0.5 + Random.Shared.NextDouble()), cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, SnapshotMaxBackoff.Ticks));
            }
        }

        throw new OrleansException(
            $"DynamoDB table {_table}: {operation} of cluster {_clusterId} found the membership version changing on each of {SnapshotAttempts} attempts.");
    }

    private async Task<TableVersion> ReadVersionAsync(CancellationToken cancellationToken)
    {
        var response = await DynamoDBCalls.RunAsync(_table, "GetItem", ct => client.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = Rows.Key(_clusterId, Rows.VersionRow),
            ConsistentRead = true,
        }, ct), cancellationToken);
        return Rows.ToTableVersion(response.Item is { Count: > 0 } item ? item : null);
    }

    private async Task<bool> WriteWithVersionAsync(
        string operation, MembershipEntry entry, TransactWriteItem member, TableVersion tableVersion, CancellationToken cancellationToken)
    {
        var request = new TransactWriteItemsRequest
        {
            TransactItems = [member, VersionWrite(tableVersion)],

            // The SDK resends this same request when an attempt times out; with the token, DynamoDB answers a
            // resend of a transaction that did commit with success instead of failing it on the etag it changed.
            ClientRequestToken = Guid.NewGuid().ToString("N"),
        };
        try
        {
            await DynamoDBCalls.RunAsync(_table, "TransactWriteItems", ct => client.TransactWriteItemsAsync(request, ct), cancellationToken);
            return true;
        }
        catch (TransactionCanceledException e) when (IsLostRace(e))
        {
            LogLostRace(logger, operation, entry.SiloAddress, tableVersion);
            return false;
        }
        catch (TransactionCanceledException e) when (Reasons(e).Any(code => code is "ThrottlingError" or "ProvisionedThroughputExceeded" or "RequestLimitExceeded"))
        {
            throw new DynamoDBUnavailableException($"DynamoDB table {_table}: {operation} was throttled after retries.", e);
        }
    }

    private TransactWriteItem VersionWrite(TableVersion tableVersion)
    {
        var etag = Rows.NewETag();
        if (tableVersion.VersionEtag == Rows.NoVersionRowETag)
        {
            // The caller read a cluster without a version row: create it, unless someone else did meanwhile.
            return new TransactWriteItem
            {
                Put = new Put
                {
                    TableName = _table,
                    Item = Rows.VersionItem(_clusterId, tableVersion.Version, etag),
                    ConditionExpression = "attribute_not_exists(#row)",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#row"] = Rows.Row },
                },
            };
        }

        return new TransactWriteItem
        {
            Update = new Update
            {
                TableName = _table,
                Key = Rows.Key(_clusterId, Rows.VersionRow),
                UpdateExpression = "SET #version = :version, #etag = :new",
                ConditionExpression = "#etag = :old",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#version"] = Rows.Version, ["#etag"] = Rows.ETag },
                ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                {
                    [":version"] = new AttributeValue { N = tableVersion.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    [":new"] = new AttributeValue { S = etag },
                    [":old"] = new AttributeValue { S = tableVersion.VersionEtag ?? string.Empty },
                },
            },
        };
    }

    // A failed condition is the protocol's "someone wrote first"; TransactionConflict is DynamoDB's word for two
    // transactions touching the same row at once, which is the same race seen a moment earlier. Either way nothing
    // was written, and the caller re-reads and tries again.
    private static bool IsLostRace(TransactionCanceledException e)
    {
        var reasons = Reasons(e).ToList();
        return reasons.Count > 0
            ? reasons.Any(code => code is "ConditionalCheckFailed" or "TransactionConflict")
            : e.Message.Contains("ConditionalCheckFailed", StringComparison.Ordinal);
    }

    private static IEnumerable<string> Reasons(TransactionCanceledException e) =>
        (e.CancellationReasons ?? []).Select(reason => reason.Code).OfType<string>();

    private async Task DeleteBatchAsync(IReadOnlyList<Dictionary<string, AttributeValue>> keys, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, List<WriteRequest>>
        {
            [_table] = [.. keys.Select(key => new WriteRequest { DeleteRequest = new DeleteRequest { Key = key } })],
        };
        var delay = TimeSpan.FromMilliseconds(50);
        for (var attempt = 1; ; attempt++)
        {
            var response = await DynamoDBCalls.RunAsync(_table, "BatchWriteItem",
                ct => client.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, ct), cancellationToken);
            if (response.UnprocessedItems is not { Count: > 0 } unprocessed || unprocessed.Values.All(list => list.Count == 0))
            {
                return;
            }

            // Unprocessed items are DynamoDB shedding load; back off as the SDK would, then give up as an outage.
            if (attempt >= 8)
            {
                throw new DynamoDBUnavailableException($"DynamoDB table {_table}: BatchWriteItem left items unprocessed after {attempt} attempts.");
            }

            pending = unprocessed;
            await Task.Delay(delay * (0.5 + Random.Shared.NextDouble()), cancellationToken);
            delay *= 2;
        }
    }

    private MembershipEntry? TryParse(Dictionary<string, AttributeValue> item)
    {
        try
        {
            return Rows.ToEntry(item);
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or OverflowException or NullReferenceException or ArgumentException)
        {
            // One unreadable row must not stop the whole cluster from reading its membership; Orleans' own
            // tables skip such a row the same way.
            LogUnreadableRow(logger, e, item.GetValueOrDefault(Rows.Row)?.S, _clusterId);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the membership version row of cluster {ClusterId} in {Table}")]
    private static partial void LogVersionRowCreated(ILogger logger, string clusterId, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted all {Count} membership rows of cluster {ClusterId} from {Table}")]
    private static partial void LogClusterDeleted(ILogger logger, string clusterId, int count, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} defunct silo rows of cluster {ClusterId} silent since before {BeforeDate}")]
    private static partial void LogDefunctDeleted(ILogger logger, int count, string clusterId, DateTimeOffset beforeDate);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Operation} for silo {Silo} lost a race at table version {TableVersion}; the caller will re-read")]
    private static partial void LogLostRace(ILogger logger, string operation, SiloAddress silo, TableVersion tableVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Operation}: membership version moved from {Before} to {After} while reading (attempt {Attempt}); reading again")]
    private static partial void LogSnapshotMoved(ILogger logger, string operation, TableVersion before, TableVersion after, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IAmAlive for silo {Silo} of cluster {ClusterId} found no row to update")]
    private static partial void LogIAmAliveRowMissing(ILogger logger, SiloAddress silo, string clusterId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Membership row {Row} of cluster {ClusterId} cannot be read and is skipped")]
    private static partial void LogUnreadableRow(ILogger logger, Exception exception, string? row, string clusterId);
}
