using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using PayApi.Aws;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Runs one DynamoDB request and turns an outage into <see cref="DynamoDBUnavailableException"/>. The SDK has
/// already retried with backoff by then; what is left is a dependency that is down, not a bug of ours.
/// Conditional-check failures, validation errors and missing tables pass through unchanged: callers decide.
/// </summary>
public static class DynamoDBCalls
{
    public static async Task<T> RunAsync<T>(string table, string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (Exception e) when (IsOutage(e, cancellationToken))
        {
            throw new DynamoDBUnavailableException($"DynamoDB table {table}: {operation} failed after retries ({Describe(e)}).", e);
        }
    }

    public static Task RunAsync(string table, string operation, Func<CancellationToken, Task> call, CancellationToken cancellationToken = default) =>
        RunAsync<bool>(table, operation, async ct =>
        {
            await call(ct);
            return true;
        }, cancellationToken);

    private static readonly string[] OutageCodes = ["TransactionInProgressException"];

    /// <summary>True for failures a retry later could get past: throttling, 5xx, timeouts, refused or broken connections.</summary>
    public static bool IsOutage(Exception e, CancellationToken cancellationToken = default) =>
        e is ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException
        || AwsFailures.IsOutage(e, cancellationToken, OutageCodes);

    private static string Describe(Exception e) => AwsFailures.Describe(e);
}
