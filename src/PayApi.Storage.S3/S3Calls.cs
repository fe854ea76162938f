using PayApi.Aws;
using Amazon.S3;

namespace PayApi.Storage.S3;

/// <summary>
/// Runs one S3 request and sorts its failure: an outage (throttling, 5xx, network, timeouts; the SDK has already
/// retried with backoff) becomes <see cref="S3UnavailableException"/>; a missing bucket or refused credentials
/// become <see cref="S3BucketAccessException"/>; anything else (NoSuchKey, a bad request) passes through unchanged.
/// </summary>
public static class S3Calls
{
    private static readonly HashSet<string> AccessCodes = new(StringComparer.Ordinal)
    {
        "NoSuchBucket", "AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch",
        "ExpiredToken", "InvalidToken", "AccountProblem", "KMS.DisabledException", "KMS.NotFoundException",
        "KMS.AccessDeniedException", "KMS.KMSInvalidStateException",
    };

    public static async Task<T> RunAsync<T>(string bucket, string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsOutage(e, cancellationToken))
        {
            throw new S3UnavailableException($"S3 bucket {bucket}: {operation} failed after retries ({Describe(e)}).", e);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is { } code && AccessCodes.Contains(code))
        {
            throw new S3BucketAccessException(
                $"S3 bucket {bucket}: {operation} was refused ({code}, HTTP {(int)e.StatusCode}). Check that the bucket exists and that these credentials may use it.", e)
            {
                ErrorCode = code,
            };
        }
    }

    public static Task RunAsync(string bucket, string operation, Func<CancellationToken, Task> call, CancellationToken cancellationToken = default) =>
        RunAsync<bool>(bucket, operation, async ct =>
        {
            await call(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private static readonly string[] OutageCodes = ["SlowDown", "InternalError"];

    /// <summary>True for failures a retry later could get past: throttling, 5xx, timeouts, refused or broken connections.</summary>
    public static bool IsOutage(Exception e, CancellationToken cancellationToken = default) => AwsFailures.IsOutage(e, cancellationToken, OutageCodes);

    private static string Describe(Exception e) => AwsFailures.Describe(e);
}
