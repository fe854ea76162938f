using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Follows a Query or Scan through every page. DynamoDB stops a page at 1 MB (or at the request's
/// <c>Limit</c>) and hands back where to continue; a reader that takes only the first page silently
/// misses the rest.
/// </summary>
internal static class DynamoDBPages
{
    public static async Task<List<Dictionary<string, AttributeValue>>> QueryAllAsync(
        IAmazonDynamoDB client, QueryRequest request, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var response = await DynamoDBCalls.RunAsync(request.TableName, "Query", ct => client.QueryAsync(request, ct), cancellationToken);
            // SDK v4 leaves collections null rather than empty.
            if (response.Items is { } page)
            {
                items.AddRange(page);
            }

            request.ExclusiveStartKey = NextPage(response.LastEvaluatedKey);
        }
        while (request.ExclusiveStartKey is not null);

        return items;
    }

    public static async IAsyncEnumerable<Dictionary<string, AttributeValue>> ScanAllAsync(
        IAmazonDynamoDB client, ScanRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        do
        {
            var response = await DynamoDBCalls.RunAsync(request.TableName, "Scan", ct => client.ScanAsync(request, ct), cancellationToken);
            foreach (var item in response.Items ?? [])
            {
                yield return item;
            }

            request.ExclusiveStartKey = NextPage(response.LastEvaluatedKey);
        }
        while (request.ExclusiveStartKey is not null);
    }

    private static Dictionary<string, AttributeValue>? NextPage(Dictionary<string, AttributeValue>? lastEvaluatedKey) =>
        lastEvaluatedKey is { Count: > 0 } ? lastEvaluatedKey : null;
}
