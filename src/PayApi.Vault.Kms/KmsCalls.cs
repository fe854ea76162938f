using System.Diagnostics;
using Amazon.KeyManagementService.Model;
using PayApi.Aws;
using PayApi.Telemetry;

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
        // One span per request (its name and operation tag only: never a key id, a context or a ciphertext).
        using var activity = PayApiTelemetry.Source.StartActivity("kms " + operation, ActivityKind.Client);
        activity?.SetTag("rpc.system", "aws-api");
        activity?.SetTag("rpc.service", "KMS");
        activity?.SetTag("rpc.method", operation);
        var outcome = "refused";
        try
        {
            var result = await call(cancellationToken).ConfigureAwait(false);
            outcome = "ok";
            return result;
        }
        catch (Exception e) when (IsOutage(e, cancellationToken))
        {
            outcome = "unavailable";
            throw new KmsUnavailableException($"KMS {operation} failed after retries ({Describe(e)}).", e);
        }
        finally
        {
            activity?.SetTag("payapi.outcome", outcome);
            if (outcome != "ok")
            {
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            PayApiTelemetry.KmsCalls.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    // The codes by name as well as by type: the SDK builds the typed exception only for errors modeled on that operation.
    private static readonly string[] OutageCodes =
    [
        "KMSInternalException", "DependencyTimeoutException", "KeyUnavailableException", "KMSInvalidStateException",
        "DisabledException", "LimitExceededException",
    ];

    /// <summary>
    /// True for failures a retry later could get past: throttling, 5xx, KMS's own dependency timeouts, a key that is
    /// disabled or pending deletion (an operator fixes that, not the client), timeouts, refused or broken connections.
    /// </summary>
    public static bool IsOutage(Exception e, CancellationToken cancellationToken = default) =>
        e is KMSInternalException or DependencyTimeoutException or KeyUnavailableException or KMSInvalidStateException
            or DisabledException or Amazon.KeyManagementService.Model.LimitExceededException
        || AwsFailures.IsOutage(e, cancellationToken, OutageCodes);

    private static string Describe(Exception e) => AwsFailures.Describe(e);
}
