using System.Net;
using System.Net.Sockets;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace PayApi.Vault.Kms;

/// <summary>
/// Runs one KMS request and turns an outage into <see cref="KmsUnavailableException"/>. The SDK has already retried
/// with backoff by then. A refused ciphertext (<c>InvalidCiphertextException</c>, <c>IncorrectKeyException</c>) and
/// every other client error pass through unchanged: the keyring decides what they mean.
/// </summary>
public static class KmsCalls
{
    public static async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsOutage(e, cancellationToken))
        {
            throw new KmsUnavailableException($"KMS {operation} failed after retries ({Describe(e)}).", e);
        }
    }

    /// <summary>
    /// True for failures a retry later could get past: throttling, 5xx, KMS's own dependency timeouts, a key that is
    /// disabled or pending deletion (an operator fixes that, not the client), timeouts, refused or broken connections.
    /// </summary>
    public static bool IsOutage(Exception e, CancellationToken cancellationToken = default) => e switch
    {
        // The caller's own cancellation is not an outage.
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        KMSInternalException or DependencyTimeoutException or KeyUnavailableException or KMSInvalidStateException
            or DisabledException or Amazon.KeyManagementService.Model.LimitExceededException => true,
        AmazonServiceException service => service.StatusCode >= HttpStatusCode.InternalServerError
            || service.ErrorCode is "ThrottlingException" or "Throttling" or "ServiceUnavailable" or "RequestTimeout"
                // The same codes by name: the SDK builds the typed exception only for errors modeled on that operation.
                or "KMSInternalException" or "DependencyTimeoutException" or "KeyUnavailableException" or "KMSInvalidStateException"
                or "DisabledException" or "LimitExceededException"
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
