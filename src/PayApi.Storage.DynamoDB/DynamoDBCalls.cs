using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

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

    /// <summary>True for failures a retry later could get past: throttling, 5xx, timeouts, refused or broken connections.</summary>
    public static bool IsOutage(Exception e, CancellationToken cancellationToken = default) => e switch
    {
        // The caller's own cancellation is not an outage.
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException => true,
        AmazonServiceException service => service.StatusCode >= HttpStatusCode.InternalServerError
            || service.ErrorCode is "ThrottlingException" or "Throttling" or "ServiceUnavailable" or "TransactionInProgressException"
            || (service.StatusCode == 0 && service.InnerException is not null && IsOutage(service.InnerException, cancellationToken)),
        AmazonClientException client => client.InnerException is null || IsOutage(client.InnerException, cancellationToken),
        HttpRequestException or SocketException or IOException or TimeoutException or TaskCanceledException => true,
        _ => false,
    };

    private static string Describe(Exception e) => e switch
    {
        AmazonServiceException service when !string.IsNullOrEmpty(service.ErrorCode) => $"{service.ErrorCode}, HTTP {(int)service.StatusCode}",
        _ => e.GetType().Name,
    };
}
