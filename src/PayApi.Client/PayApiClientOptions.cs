namespace PayApi.Client;

/// <summary>Where the API is and the developer's client credentials; how retries are bounded.</summary>
public sealed class PayApiClientOptions
{
    /// <summary>The gateway's base address, e.g. <c>https://pay.example.com/</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The client id (<c>cli_...</c>) from <c>POST /admin/v1/clients</c>.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret, sent as HTTP Basic with the id; never logged by this client.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>How many times a retryable error of a retry-safe request is tried again (default 3; 0 turns retries off).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// The longest wait before a retry (default 30 s). A <c>Retry-After</c> longer than this is not waited for: the
    /// error is raised at once, its <see cref="PayApiException.RetryAfter"/> telling the caller when to come back.
    /// </summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait before the first retry when the answer names none; doubled for each further one.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}
