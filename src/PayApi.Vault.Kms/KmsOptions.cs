namespace PayApi.Vault.Kms;

/// <summary>Which AWS KMS key wraps data keys and how hard to try: bound from <c>PayApi:Kms</c>.</summary>
public sealed class KmsOptions
{
    /// <summary>
    /// <c>PayApi:Kms:KeyId</c>: the key that wraps new data keys, as a key id, key ARN, alias name (<c>alias/…</c>) or
    /// alias ARN. Required. Changing it makes another key primary; <c>POST /admin/v1/keys/rewrap</c> then moves the
    /// existing data keys over with <c>ReEncrypt</c>.
    /// </summary>
    public string? KeyId { get; set; }

    /// <summary><c>PayApi:Kms:ServiceUrl</c>: an endpoint override (our loopback KMS in tests); null means the AWS endpoint of the region.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>
    /// <c>PayApi:Kms:Region</c>: the AWS region; null means the SDK's own chain (<c>AWS_REGION</c>, profile, ECS task
    /// metadata). With a <see cref="ServiceUrl"/> it only names the signing region.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>Retries of a throttled, 5xx or unreachable request, with the SDK's jittered exponential backoff, before the call fails.</summary>
    public int MaxErrorRetry { get; set; } = 3;

    /// <summary>
    /// How long one HTTP attempt may take before it is abandoned (and retried). With <see cref="MaxErrorRetry"/> this
    /// bounds how long a hung KMS endpoint can hold a grain activation before it fails as 503.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Every problem with the options, each naming its <c>PayApi:Kms</c> key.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(KeyId))
        {
            yield return "PayApi:Kms:KeyId must name the KMS key (key id, key ARN, alias/<name> or alias ARN).";
        }

        if (ServiceUrl is { Length: > 0 } && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return "PayApi:Kms:ServiceUrl must be an absolute http(s) URL.";
        }

        if (MaxErrorRetry is < 0 or > 10)
        {
            yield return "PayApi:Kms:MaxErrorRetry must be between 0 and 10.";
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(1))
        {
            yield return "PayApi:Kms:RequestTimeout must be positive and at most a minute.";
        }
    }
}
