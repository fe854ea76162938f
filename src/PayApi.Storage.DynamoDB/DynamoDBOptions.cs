namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Where the DynamoDB tables are and how hard to try: bound from <c>PayApi:DynamoDB</c>. One set of
/// options serves membership, grain storage, reminders and the data key table.
/// </summary>
public sealed class DynamoDBOptions
{
    /// <summary><c>PayApi:DynamoDB:ServiceUrl</c>: an endpoint override (dynalite in tests); null means the AWS endpoint of the region.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>
    /// <c>PayApi:DynamoDB:Region</c>: the AWS region; null means the SDK's own chain (<c>AWS_REGION</c>, profile,
    /// ECS task metadata). With a <see cref="ServiceUrl"/> it only names the signing region.
    /// </summary>
    public string? Region { get; set; }

    /// <summary><c>PayApi:DynamoDB:TablePrefix</c>: every table's name starts with it, so several deployments can share an account.</summary>
    public string TablePrefix { get; set; } = "payapi-";

    /// <summary>Create missing tables at start (on-demand billing). Off when an operator manages tables as infrastructure.</summary>
    public bool CreateTables { get; set; } = true;

    /// <summary>Retries of a throttled, 5xx or unreachable request, with the SDK's jittered exponential backoff, before the call fails.</summary>
    public int MaxErrorRetry { get; set; } = 3;

    /// <summary>
    /// How long one HTTP attempt may take before it is abandoned (and retried). DynamoDB answers in milliseconds; with
    /// <see cref="MaxErrorRetry"/> this bounds how long a hung endpoint can hold a grain call before it fails as 503.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Sealed data chunks up to this many bytes are DynamoDB items; larger ones are objects in the chunk object store
    /// (S3) with an item pointing at them. DynamoDB bills reads by 4 KB and caps an item at 400 KB; S3 bills per request.
    /// </summary>
    public int InlineChunkLimit { get; set; } = 64 * 1024;

    /// <summary>The tables' names.</summary>
    public string MembershipTable => TablePrefix + "membership";

    public string GrainStateTable => TablePrefix + "grain-state";

    public string RemindersTable => TablePrefix + "reminders";

    public string DataKeysTable => TablePrefix + "data-keys";

    public string ProviderDataTable => TablePrefix + "provider-data";

    /// <summary>Every problem with the options, each naming its <c>PayApi:DynamoDB</c> key.</summary>
    public IEnumerable<string> Problems()
    {
        if (ServiceUrl is { Length: > 0 } && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return "PayApi:DynamoDB:ServiceUrl must be an absolute http(s) URL.";
        }

        // DynamoDB table names: 3-255 characters of [a-zA-Z0-9_.-]; the longest suffix above is 13 characters.
        if (TablePrefix.Length is 0 or > 240 || TablePrefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')))
        {
            yield return "PayApi:DynamoDB:TablePrefix must be 1-240 characters of letters, digits, '_', '-' and '.'.";
        }

        if (InlineChunkLimit is < 1024 or > 350 * 1024)
        {
            yield return "PayApi:DynamoDB:InlineChunkLimit must be between 1024 and 358400 bytes (an item holds at most 400 KB).";
        }

        if (MaxErrorRetry is < 0 or > 10)
        {
            yield return "PayApi:DynamoDB:MaxErrorRetry must be between 0 and 10.";
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(1))
        {
            yield return "PayApi:DynamoDB:RequestTimeout must be positive and at most a minute.";
        }
    }
}
