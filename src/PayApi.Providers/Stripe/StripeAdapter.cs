using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>
/// Reads balance, charges and payouts through Stripe's REST API with a restricted read-only key.
/// Every failure becomes a <see cref="PayApiException"/>; the key is sent only in the Authorization
/// header and never appears in a URL, a log line or an exception.
/// </summary>
public sealed partial class StripeAdapter : IProviderAdapter
{
    public const string ApiKeyField = "api_key";

    /// <summary>Stripe's largest page: fewest round trips per refresh.</summary>
    public const int PageSize = 100;

    // Stripe's largest list page is far below this; anything bigger is not a Stripe answer.
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private readonly Func<HttpClient> _client;
    private readonly StripeAdapterOptions _options;
    private readonly Uri _baseUrl;
    private readonly ILogger _logger;

    /// <summary>For callers that own one long-lived client (tests, tools).</summary>
    public StripeAdapter(HttpClient httpClient, StripeAdapterOptions options, ILogger<StripeAdapter>? logger = null)
        : this(() => httpClient, options, logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
    }

    /// <summary>A client per call from the factory, so handler rotation (DNS changes) keeps working in a long-lived singleton.</summary>
    public StripeAdapter(IHttpClientFactory httpClientFactory, string httpClientName, StripeAdapterOptions options, ILogger<StripeAdapter>? logger = null)
        : this(() => httpClientFactory.CreateClient(httpClientName), options, logger)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
    }

    private StripeAdapter(Func<HttpClient> client, StripeAdapterOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ProviderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Name);
        ArgumentNullException.ThrowIfNull(options.BaseUrl);
        if (!options.BaseUrl.IsAbsoluteUri || (options.BaseUrl.Scheme != Uri.UriSchemeHttps && options.BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The Stripe base URL must be an absolute http(s) URL.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CacheTtl, TimeSpan.Zero);

        _client = client;
        _options = options;
        _logger = logger ?? NullLogger.Instance;

        // Without the trailing slash "v1/balance" would replace the last path segment (e.g. a /stripe prefix).
        var baseText = options.BaseUrl.AbsoluteUri;
        _baseUrl = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");

        Info = new ProviderInfo(
            options.ProviderId,
            options.Name,
            ProviderAuthKinds.ApiKey,
            Mfa: false,
            [Capabilities.Balance, Capabilities.Transactions, Capabilities.Payouts],
            [new ProviderField(ApiKeyField, "API key", Secret: true)]);
    }

    public ProviderInfo Info { get; }

    public TimeSpan CacheTtl => _options.CacheTtl;

    /// <summary>
    /// Accepts only keys that can read and cannot write. Reading is proven by <c>GET /v1/balance</c>;
    /// writing is probed with <c>POST /v1/payment_intents</c> without parameters, which Stripe refuses
    /// either way (403 for a key lacking the permission, 400 parameter_missing for one holding it), so
    /// the probe never creates anything. It tests one write permission: a restricted key that can write
    /// elsewhere but not payment intents passes, which is the best a side-effect-free check can do.
    /// </summary>
    public async Task VerifyAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var key = ReadKey(context);
        await GetJsonAsync<StripeBalanceDto>(key, "v1/balance", Phase.Verify, "balance", cancellationToken).ConfigureAwait(false);

        var (status, body) = await SendAsync(key, HttpMethod.Post, "v1/payment_intents", Phase.Verify, "write probe", cancellationToken).ConfigureAwait(false);
        switch (status)
        {
            case HttpStatusCode.Forbidden:
                // Real Stripe marks a missing permission by the 403 status alone (no error code), so
                // only the envelope is checked to be sure this is Stripe talking.
                Parse<StripeErrorEnvelopeDto>(body, status, "write probe");
                return;
            case HttpStatusCode.BadRequest:
            case var ok when (int)ok is >= 200 and < 300:
                throw new PayApiException(
                    ErrorCodes.InsufficientKeyScope,
                    "This API key can make changes to the Stripe account. Create a restricted key with read-only permissions (Balance, Charges, Payouts) and use that instead.");
            default:
                throw Classify(status, Phase.Verify, "write probe");
        }
    }

    public async Task<IReadOnlyList<BalanceAmount>> GetBalanceAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var key = ReadKey(context);
        var balance = await GetJsonAsync<StripeBalanceDto>(key, "v1/balance", Phase.Fetch, "balance", cancellationToken).ConfigureAwait(false);
        if (balance.Object != "balance")
        {
            throw Unexpected(HttpStatusCode.OK, "balance");
        }

        // Stripe may split one currency over several entries (by source type); the API shows one row per currency.
        var byCurrency = new SortedDictionary<string, (long Available, long Pending)>(StringComparer.Ordinal);
        foreach (var a in balance.Available)
        {
            var c = Currency(a.Currency);
            byCurrency[c] = byCurrency.TryGetValue(c, out var v) ? (v.Available + a.Amount, v.Pending) : (a.Amount, 0);
        }

        foreach (var p in balance.Pending)
        {
            var c = Currency(p.Currency);
            byCurrency[c] = byCurrency.TryGetValue(c, out var v) ? (v.Available, v.Pending + p.Amount) : (0, p.Amount);
        }

        return byCurrency.Select(kv => new BalanceAmount(kv.Key, kv.Value.Available, kv.Value.Pending)).ToList();
    }

    /// <summary>
    /// Charges become transactions. Mapping: <c>amount</c> is the gross charged amount, always positive
    /// (a charge is money in; refunds are separate objects Stripe does not list here). <c>status</c> says
    /// whether the money stuck: <c>succeeded</c>, <c>pending</c>, <c>failed</c>, <c>refunded</c> (fully),
    /// <c>partially_refunded</c>; statuses Stripe adds later pass through unchanged rather than failing the page.
    /// </summary>
    public async Task<ProviderPage<TransactionItem>> GetTransactionsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken)
    {
        var key = ReadKey(context);
        var list = await GetListAsync<StripeChargeDto>(key, "v1/charges", cursor, ChargeId(), "charges", cancellationToken).ConfigureAwait(false);
        var items = new List<TransactionItem>(list.Data.Count);
        foreach (var charge in list.Data)
        {
            if (charge.Object != "charge" || !ChargeId().IsMatch(charge.Id))
            {
                throw Unexpected(HttpStatusCode.OK, "charges");
            }

            var status = charge.Status switch
            {
                "succeeded" when charge.Refunded => "refunded",
                "succeeded" when charge.AmountRefunded > 0 => "partially_refunded",
                var s => s,
            };
            items.Add(new TransactionItem(
                charge.Id,
                DateTimeOffset.FromUnixTimeSeconds(charge.Created),
                charge.Amount,
                Currency(charge.Currency),
                string.IsNullOrEmpty(charge.Description) ? "Stripe charge" : charge.Description,
                status));
        }

        return new ProviderPage<TransactionItem>(items, list.HasMore ? list.Data[^1].Id : null);
    }

    /// <summary>Payouts keep Stripe's positive amount and status (<c>paid</c>, <c>pending</c>, <c>in_transit</c>, <c>failed</c>, <c>canceled</c>).</summary>
    public async Task<ProviderPage<PayoutItem>> GetPayoutsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken)
    {
        var key = ReadKey(context);
        var list = await GetListAsync<StripePayoutDto>(key, "v1/payouts", cursor, PayoutId(), "payouts", cancellationToken).ConfigureAwait(false);
        var items = new List<PayoutItem>(list.Data.Count);
        foreach (var payout in list.Data)
        {
            if (payout.Object != "payout" || !PayoutId().IsMatch(payout.Id))
            {
                throw Unexpected(HttpStatusCode.OK, "payouts");
            }

            items.Add(new PayoutItem(payout.Id, DateTimeOffset.FromUnixTimeSeconds(payout.ArrivalDate), payout.Amount, Currency(payout.Currency), payout.Status));
        }

        return new ProviderPage<PayoutItem>(items, list.HasMore ? list.Data[^1].Id : null);
    }

    /// <summary>An API key has no session to keep alive.</summary>
    public Task<KeepAliveResult> KeepAliveAsync(ProviderContext context, CancellationToken cancellationToken) =>
        Task.FromResult(KeepAliveResult.NotNeeded);

    private static string ReadKey(ProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Credentials.TryGet(ApiKeyField, out var raw) || string.IsNullOrWhiteSpace(raw))
        {
            throw new PayApiException(ErrorCodes.InvalidCredentials, "Enter a Stripe API key.");
        }

        // Pasting often brings a stray space or line break along; those are never part of a key.
        var key = raw.Trim();
        if (StripeKeyFormat.IsPublishable(key))
        {
            throw new PayApiException(ErrorCodes.InvalidCredentials, "That is a publishable key, which cannot read account data. Use a restricted key (rk_...) with read-only permissions.");
        }

        if (!StripeKeyFormat.IsWellFormed(key))
        {
            throw new PayApiException(ErrorCodes.InvalidCredentials, "That does not look like a Stripe API key. Use a restricted key (rk_...) with read-only permissions.");
        }

        return key;
    }

    private async Task<StripeListDto<T>> GetListAsync<T>(string key, string path, string? cursor, Regex idShape, string what, CancellationToken cancellationToken)
    {
        var query = $"{path}?limit={PageSize}";
        if (cursor is not null)
        {
            // The cursor is Stripe's own object id; anything else was not produced by this adapter.
            if (!idShape.IsMatch(cursor))
            {
                throw PayApiException.Invalid("The cursor is not valid.");
            }

            query += "&starting_after=" + Uri.EscapeDataString(cursor);
        }

        var list = await GetJsonAsync<StripeListDto<T>>(key, query, Phase.Fetch, what, cancellationToken).ConfigureAwait(false);

        // "More" with an empty page would send the caller round in circles.
        if (list.Object != "list" || (list.HasMore && list.Data.Count == 0))
        {
            throw Unexpected(HttpStatusCode.OK, what);
        }

        return list;
    }

    private async Task<T> GetJsonAsync<T>(string key, string pathAndQuery, Phase phase, string what, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(key, HttpMethod.Get, pathAndQuery, phase, what, cancellationToken).ConfigureAwait(false);
        if ((int)status is < 200 or >= 300)
        {
            throw Classify(status, phase, what);
        }

        return Parse<T>(body, status, what);
    }

    private T Parse<T>(byte[] body, HttpStatusCode status, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json) ?? throw Unexpected(status, what);
        }
        catch (JsonException)
        {
            // The JSON error text may quote the payload, so it is not passed on.
            throw Unexpected(status, what);
        }
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> SendAsync(
        string key, HttpMethod method, string pathAndQuery, Phase phase, string what, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(_options.Timeout);
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(_baseUrl, pathAndQuery));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (method == HttpMethod.Post)
            {
                // Deliberately no parameters: see VerifyAsync.
                request.Content = new FormUrlEncodedContent([]);
            }

            using var response = await _client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, budget.Token).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, what, budget.Token).ConfigureAwait(false);
            return (response.StatusCode, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            StripeAdapterLog.Unavailable(_logger, _options.ProviderId, what, "timeout");
            throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{_options.Name} did not answer in time. Try again shortly.");
        }
        catch (HttpRequestException ex)
        {
            // The exception text names host and port only; it is kept as inner exception for operators.
            StripeAdapterLog.Unavailable(_logger, _options.ProviderId, what, ex.HttpRequestError.ToString());
            throw new PayApiException(ErrorCodes.ProviderUnavailable, $"{_options.Name} could not be reached. Try again shortly.", ex);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxBodyBytes)
        {
            throw Unexpected(response.StatusCode, what);
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
                    throw Unexpected(response.StatusCode, what);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    /// <summary>Maps a non-success status. 401 means a wrong key while verifying, but a revoked key on a stored connection.</summary>
    private PayApiException Classify(HttpStatusCode status, Phase phase, string what)
    {
        var code = (int)status;
        if (status == HttpStatusCode.Unauthorized)
        {
            return phase == Phase.Verify
                ? new PayApiException(ErrorCodes.InvalidCredentials, $"{_options.Name} did not accept this API key.")
                : new PayApiException(ErrorCodes.LoginRequired, $"{_options.Name} no longer accepts the stored API key. Reconnect with a new key.");
        }

        if (status == HttpStatusCode.Forbidden)
        {
            // A restricted key without read access to what we fetch: the user must widen its read permissions.
            return new PayApiException(ErrorCodes.InsufficientKeyScope, $"This API key cannot read {what}. Give the restricted key read access to Balance, Charges and Payouts.");
        }

        if (status == HttpStatusCode.TooManyRequests || code >= 500)
        {
            StripeAdapterLog.Unavailable(_logger, _options.ProviderId, what, "HTTP " + code.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new PayApiException(ErrorCodes.ProviderUnavailable, $"{_options.Name} is unavailable right now. Try again shortly.");
        }

        return Unexpected(status, what);
    }

    private PayApiException Unexpected(HttpStatusCode status, string what)
    {
        StripeAdapterLog.Unexpected(_logger, _options.ProviderId, what, (int)status);
        return new PayApiException(ErrorCodes.UnexpectedProviderResponse, $"{_options.Name} sent a response to the {what} request that could not be understood.");
    }

    private static string Currency(string currency) => currency.ToLowerInvariant();

    [GeneratedRegex("^ch_[A-Za-z0-9]{1,250}$", RegexOptions.CultureInvariant)]
    private static partial Regex ChargeId();

    [GeneratedRegex("^po_[A-Za-z0-9]{1,250}$", RegexOptions.CultureInvariant)]
    private static partial Regex PayoutId();

    /// <summary>Whether a key is being checked for the first time or a stored key is being used.</summary>
    private enum Phase
    {
        Verify,
        Fetch,
    }
}
