using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace PayApi.Aws;

/// <summary>
/// Which failures of an AWS call are an outage (a retry later could get past it) rather than a refusal or a bug of
/// ours, after the SDK's own retries: 5xx, throttling, timeouts, refused or broken connections, plus what a service
/// names as its own (<paramref name="serviceCodes"/>).
/// </summary>
public static class AwsFailures
{
    private static readonly string[] CommonCodes = ["ThrottlingException", "Throttling", "ServiceUnavailable", "RequestTimeout"];

    public static bool IsOutage(Exception e, CancellationToken cancellationToken, IReadOnlyCollection<string> serviceCodes) => e switch
    {
        // The caller's own cancellation is not an outage.
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        AmazonServiceException service => service.StatusCode >= HttpStatusCode.InternalServerError
            || (service.ErrorCode is { } code && (CommonCodes.Contains(code) || serviceCodes.Contains(code)))
            || (service.StatusCode == 0 && service.InnerException is not null && IsOutage(service.InnerException, cancellationToken, serviceCodes)),
        AmazonClientException client => client.InnerException is null || IsOutage(client.InnerException, cancellationToken, serviceCodes),
        HttpRequestException or SocketException or IOException or TimeoutException or TaskCanceledException => true,
        _ => false,
    };

    /// <summary>The error code and status of a service error, else the exception's type: never a message, which may quote a request.</summary>
    public static string Describe(Exception e) => e switch
    {
        AmazonServiceException service when !string.IsNullOrEmpty(service.ErrorCode) => $"{service.ErrorCode}, HTTP {(int)service.StatusCode}",
        _ => e.GetType().Name,
    };
}
