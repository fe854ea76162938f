using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>A Stripe answer: status and body, read whole (bounded).</summary>
internal readonly record struct StripeResponse(HttpStatusCode Status, byte[] Body)
{
    /// <summary>
    /// The sandbox's hint that the key will expire (header <see cref="KeyExpiresHeader"/>); real Stripe sends no such
    /// signal, so for it this is always null.
    /// </summary>
    public DateTimeOffset? KeyExpiresAt { get; init; }

    public const string KeyExpiresHeader = "Sandbox-Key-Expires-At";

    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>
/// Sends one Stripe request within the per-call budget: the key in the Authorization header only, the pinned
/// <c>Stripe-Version</c>, and, for calls that change nothing, retries the way Stripe asks clients to retry
/// (429, 5xx, 409 lock_timeout and network errors; <c>Stripe-Should-Retry</c> overrides; <c>Retry-After</c> is honoured
/// up to a cap; exponential backoff with jitter). Logs name the provider, operation and status, never the key or a body.
/// </summary>
internal sealed class StripeTransport
{
    // Stripe's largest list page is far below this; anything bigger is not a Stripe answer.
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    private readonly Func<HttpClient> _client;
    private readonly StripeAdapterOptions _options;
    private readonly Uri _baseUrl;
    private readonly ILogger _logger;

    public StripeTransport(Func<HttpClient> client, StripeAdapterOptions options, ILogger logger)
    {
        _client = client;
        _options = options;
        _logger = logger;

        // Without the trailing slash "v1/balance" would replace the last path segment (e.g. a /stripe prefix).
        var baseText = options.BaseUrl.AbsoluteUri;
        _baseUrl = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");
    }

    /// <summary>
    /// Sends <paramref name="method"/> <paramref name="pathAndQuery"/>; a POST carries an empty form (the write probes
    /// never send parameters). Only side-effect-free calls may pass <paramref name="retry"/>. A retryable answer that
    /// is still failing when retries (or the budget) run out is returned for the caller to classify.
    /// </summary>
    public async Task<StripeResponse> SendAsync(string key, HttpMethod method, string pathAndQuery, string what, bool retry, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.Timeout);
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan delay;
            try
            {
                using var request = new HttpRequestMessage(method, new Uri(_baseUrl, pathAndQuery));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.TryAddWithoutValidation("Stripe-Version", _options.ApiVersion);
                if (method == HttpMethod.Post)
                {
                    request.Content = new FormUrlEncodedContent([]);
                }

                using var response = await _client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, budget.Token).ConfigureAwait(false);
                var body = await ReadBodyAsync(response, what, budget.Token).ConfigureAwait(false);
                var answer = new StripeResponse(response.StatusCode, body)
                {
                    KeyExpiresAt = response.Headers.TryGetValues(StripeResponse.KeyExpiresHeader, out var expires)
                        && DateTimeOffset.TryParse(expires.FirstOrDefault(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null,
                };
                if (!retry || attempt >= _options.MaxRetries || !ShouldRetry(response, body))
                {
                    return answer;
                }

                delay = Delay(attempt, response.Headers.RetryAfter);
                if (clock.Elapsed + delay >= _options.Timeout)
                {
                    return answer;
                }

                StripeAdapterLog.Retrying(_logger, _options.ProviderId, what, "HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), attempt + 1, (long)delay.TotalMilliseconds);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                StripeAdapterLog.Unavailable(_logger, _options.ProviderId, what, "timeout");
                throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{_options.Name} did not answer in time. Try again shortly.");
            }
            catch (HttpRequestException ex)
            {
                delay = Delay(attempt, null);
                if (!retry || attempt >= _options.MaxRetries || clock.Elapsed + delay >= _options.Timeout)
                {
                    // The exception text names host and port only; it is kept as inner exception for operators.
                    StripeAdapterLog.Unavailable(_logger, _options.ProviderId, what, ex.HttpRequestError.ToString());
                    throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{_options.Name} could not be reached. Try again shortly.", ex);
                }

                StripeAdapterLog.Retrying(_logger, _options.ProviderId, what, ex.HttpRequestError.ToString(), attempt + 1, (long)delay.TotalMilliseconds);
            }

            try
            {
                await Task.Delay(delay, budget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                StripeAdapterLog.Unavailable(_logger, _options.ProviderId, what, "timeout");
                throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{_options.Name} did not answer in time. Try again shortly.");
            }
        }
    }

    /// <summary>
    /// Stripe's own advice first (<c>Stripe-Should-Retry</c>), else what its libraries retry: rate limits, server
    /// errors, and a 409 only when it is a lock timeout (other conflicts do not go away by asking again).
    /// </summary>
    internal static bool ShouldRetry(HttpResponseMessage response, byte[] body)
    {
        if (response.Headers.TryGetValues("Stripe-Should-Retry", out var values))
        {
            var advice = values.FirstOrDefault();
            if (string.Equals(advice, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (string.Equals(advice, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        var status = (int)response.StatusCode;
        return status == 429 || status >= 500 || (status == 409 && ErrorCode(body) == "lock_timeout");
    }

    /// <summary>The <c>error.code</c> of a Stripe error body, or null; never throws, never logs the body.</summary>
    internal static string? ErrorCode(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code)
                && code.ValueKind == JsonValueKind.String
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private TimeSpan Delay(int attempt, RetryConditionHeaderValue? retryAfter)
    {
        var max = _options.RetryMaxDelay;
        var asked = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (asked is { } wait && wait > TimeSpan.Zero)
        {
            return wait < max ? wait : max;
        }

        // Exponential backoff, with the upper half jittered so many connections throttled together do not return together.
        var exponential = _options.RetryBaseDelay * Math.Pow(2, Math.Min(attempt, 16));
        if (exponential > max)
        {
            exponential = max;
        }

        return exponential * (0.5 + (Random.Shared.NextDouble() * 0.5));
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxBodyBytes)
        {
            throw TooLarge(response.StatusCode, what);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    throw TooLarge(response.StatusCode, what);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private PayApiException TooLarge(HttpStatusCode status, string what)
    {
        StripeAdapterLog.Unexpected(_logger, _options.ProviderId, what, (int)status);
        return new PayApiException(ErrorCodes.UnexpectedProviderResponse, $"{_options.Name} sent a response to the {what} request that could not be understood.");
    }
}
