using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PayApi.Client;

/// <summary>
/// Sends one API call: JSON in and out, problem documents raised as <see cref="PayApiException"/>, and retryable errors
/// tried again, bounded by <see cref="PayApiClientOptions"/>, honouring <c>Retry-After</c>. Only retry-safe calls are
/// retried: reads, PUT and DELETE, calls the API makes safe to repeat (a refresh joins the one in flight), and POSTs that
/// carry an <c>Idempotency-Key</c>.
/// </summary>
internal sealed class PayApiTransport(HttpClient http, PayApiClientOptions options)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public PayApiClientOptions Options => options;

    public async Task<T> SendAsync<T>(HttpMethod method, string path, AuthenticationHeaderValue auth, object? body, bool retrySafe, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var content = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json);
        var canRetry = retrySafe || idempotencyKey is not null;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path.TrimStart('/'));
            request.Headers.Authorization = auth;
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            if (content is not null)
            {
                request.Content = new ByteArrayContent(content);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }

            PayApiException problem;
            using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false))
            {
                if (response.IsSuccessStatusCode)
                {
                    var result = await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false);
                    return result ?? throw Unexpected(response.StatusCode, "The answer had no body.", null);
                }

                problem = await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
            }

            if (!canRetry || !problem.Retryable || attempt >= options.MaxRetries)
            {
                throw problem;
            }

            var delay = problem.RetryAfter ?? TimeSpan.FromTicks(options.BaseRetryDelay.Ticks << Math.Min(attempt, 16));
            if (delay > options.MaxRetryDelay)
            {
                throw problem; // the caller decides whether to wait that long
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    public static AuthenticationHeaderValue Basic(PayApiClientOptions options)
    {
        if (string.IsNullOrEmpty(options.ClientId) || string.IsNullOrEmpty(options.ClientSecret))
        {
            throw new InvalidOperationException("PayApiClientOptions.ClientId and ClientSecret are required for developer calls.");
        }

        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.ClientId}:{options.ClientSecret}")));
    }

    public static AuthenticationHeaderValue Bearer(string accessToken) =>
        string.IsNullOrWhiteSpace(accessToken) ? throw new ArgumentException("An access token is required.", nameof(accessToken)) : new("Bearer", accessToken);

    private static async Task<PayApiException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = RetryAfter(response);
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            text = "";
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
            {
                return new PayApiException(
                    response.StatusCode,
                    code.GetString()!,
                    String(root, "title"),
                    String(root, "detail"),
                    String(root, "actor"),
                    root.TryGetProperty("retryable", out var retryable) && retryable.ValueKind == JsonValueKind.True,
                    retryAfter,
                    String(root, "request_id"),
                    String(root, "type"));
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page): described below by its status alone.
        }

        return Unexpected(response.StatusCode, $"The API answered {(int)response.StatusCode} without a problem document.", retryAfter);
    }

    private static PayApiException Unexpected(HttpStatusCode status, string detail, TimeSpan? retryAfter) =>
        new(status, "unexpected_response", null, detail, "service",
            status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, retryAfter, null);

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return response.Headers.TryGetValues("Retry-After", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
