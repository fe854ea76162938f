using System.Globalization;
using System.Net;
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
public sealed partial class StripeAdapter : IProviderAdapter, IIncrementalProvider
{
    public const string ApiKeyField = "api_key";

    /// <summary>Stripe's largest page: fewest round trips per refresh.</summary>
    public const int PageSize = 100;

    private readonly StripeAdapterOptions _options;
    private readonly ILogger _logger;
    private readonly StripeTransport _transport;
    private readonly StripeErrors _errors;
    private readonly StripeAccessProbe _access;

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
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiVersion);
        if (!ApiVersionShape().IsMatch(options.ApiVersion))
        {
            throw new ArgumentException("The Stripe API version must look like 2026-07-29.dahlia.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryBaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryMaxDelay, options.RetryBaseDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.UpdateOverlap, TimeSpan.Zero);

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _errors = new StripeErrors(options.ProviderId, options.Name, _logger);
        _transport = new StripeTransport(client, options, _logger);
        _access = new StripeAccessProbe(_transport, _errors);

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

    public TimeSpan MinRefreshInterval => _options.MinRefreshInterval;

    public TimeSpan UpdateOverlap => _options.UpdateOverlap;

    /// <summary>Accepts only keys that can read something and cannot write; see <see cref="VerifyAccessAsync"/>.</summary>
    public Task VerifyAsync(ProviderContext context, CancellationToken cancellationToken) =>
        VerifyAccessAsync(context, cancellationToken);

    /// <summary>
    /// Which of balance, transactions and payouts the key can read (a 403 on <c>GET /v1/balance</c>,
    /// <c>/v1/charges?limit=1</c> or <c>/v1/payouts?limit=1</c> leaves that one out; none at all is insufficient_key_scope),
    /// after refusing every key that can write: secret keys at once (one harmless read tells a wrong key apart), restricted
    /// keys after side-effect-free write probes (<see cref="StripeAccessProbe"/>, SECURITY.md).
    /// </summary>
    public Task<IReadOnlyList<string>> VerifyAccessAsync(ProviderContext context, CancellationToken cancellationToken) =>
        _access.VerifyAsync(ReadKey(context), cancellationToken);

    public async Task<IReadOnlyList<BalanceAmount>> GetBalanceAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var key = ReadKey(context);
        var response = await GetAsync(key, "v1/balance", "balance", Capabilities.Balance, cancellationToken).ConfigureAwait(false);
        if (response.KeyExpiresAt is { } expiresAt)
        {
            context.Session.AccessExpiry = new ProviderAccessExpiry("api_key_expiring", expiresAt);
        }

        var balance = _errors.Parse<StripeBalanceDto>(response, "balance");
        if (balance.Object != "balance")
        {
            throw _errors.Unexpected(HttpStatusCode.OK, "balance");
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

    /// <summary>One page of transactions, newest first; see <see cref="ListTransactionsAsync"/>.</summary>
    public Task<ProviderPage<TransactionItem>> GetTransactionsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken) =>
        ListTransactionsAsync(context, new ProviderListRequest(cursor), cancellationToken);

    /// <summary>One page of payouts, newest first; see <see cref="ListPayoutsAsync"/>.</summary>
    public Task<ProviderPage<PayoutItem>> GetPayoutsAsync(ProviderContext context, string? cursor, CancellationToken cancellationToken) =>
        ListPayoutsAsync(context, new ProviderListRequest(cursor), cancellationToken);

    /// <summary>
    /// Charges (<c>ch_</c> card charges and <c>py_</c> payments: Connect transfers, bank debits...) become transactions.
    /// <c>amount</c> is the gross charged (or, uncaptured, authorised) amount, always positive: a charge is money in, and
    /// refunds are separate objects Stripe does not list here. <c>status</c> says whether the money stuck:
    /// <list type="bullet">
    /// <item><c>failed</c> and <c>pending</c> as Stripe says;</item>
    /// <item><c>succeeded</c> but not captured: <c>pending</c> (an authorisation; no money has moved), or <c>canceled</c>
    /// when it is also refunded (the authorisation was released or expired);</item>
    /// <item><c>succeeded</c> and captured: <c>refunded</c> (fully), <c>partially_refunded</c>, else <c>succeeded</c>;</item>
    /// <item>statuses Stripe adds later pass through unchanged rather than failing the page.</item>
    /// </list>
    /// An item that is not a charge we understand (unknown id shape, another object, a missing field) is skipped and
    /// logged by its id prefix only; a malformed page envelope is unexpected_provider_response.
    /// </summary>
    public async Task<ProviderPage<TransactionItem>> ListTransactionsAsync(ProviderContext context, ProviderListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ReadKey(context);
        var (items, next) = await ListAsync<StripeChargeDto>(key, "v1/charges", request, "charge", ChargeId(), "charges", Capabilities.Transactions, cancellationToken).ConfigureAwait(false);
        var mapped = items.Select(charge => new TransactionItem(
            charge.Id,
            DateTimeOffset.FromUnixTimeSeconds(charge.Created),
            charge.Amount,
            Currency(charge.Currency),
            string.IsNullOrEmpty(charge.Description) ? "Stripe charge" : charge.Description,
            ChargeStatus(charge))).ToList();
        return new ProviderPage<TransactionItem>(mapped, next, items.Count > 0 ? DateTimeOffset.FromUnixTimeSeconds(items[0].Created) : null);
    }

    /// <summary>
    /// Payouts keep Stripe's positive amount and status (<c>paid</c>, <c>pending</c>, <c>in_transit</c>, <c>failed</c>,
    /// <c>canceled</c>); the page's high-water mark is the newest payout's <c>created</c>, not its arrival date.
    /// </summary>
    public async Task<ProviderPage<PayoutItem>> ListPayoutsAsync(ProviderContext context, ProviderListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = ReadKey(context);
        var (items, next) = await ListAsync<StripePayoutDto>(key, "v1/payouts", request, "payout", PayoutId(), "payouts", Capabilities.Payouts, cancellationToken).ConfigureAwait(false);
        var mapped = items.Select(p => new PayoutItem(p.Id, DateTimeOffset.FromUnixTimeSeconds(p.ArrivalDate), p.Amount, Currency(p.Currency), p.Status)).ToList();
        return new ProviderPage<PayoutItem>(mapped, next, items.Count > 0 ? DateTimeOffset.FromUnixTimeSeconds(items[0].Created) : null);
    }

    /// <summary>An API key has no session to keep alive.</summary>
    public Task<KeepAliveResult> KeepAliveAsync(ProviderContext context, CancellationToken cancellationToken) =>
        Task.FromResult(KeepAliveResult.NotNeeded);

    /// <summary>The status a charge is reported with (the mapping of <see cref="ListTransactionsAsync"/>).</summary>
    internal static string ChargeStatus(StripeChargeDto charge) => charge.Status switch
    {
        "succeeded" when !charge.Captured && charge.Refunded => "canceled",
        "succeeded" when !charge.Captured => "pending",
        "succeeded" when charge.Refunded => "refunded",
        "succeeded" when charge.AmountRefunded > 0 => "partially_refunded",
        var s => s,
    };

    /// <summary>
    /// The path and query of one list page: <c>limit=100</c>, <c>starting_after</c> from the cursor, and
    /// <c>created[gte]</c> (unix seconds, rounded down so nothing at the boundary is missed).
    /// </summary>
    internal static string ListQuery(string path, ProviderListRequest request)
    {
        var query = $"{path}?limit={PageSize.ToString(CultureInfo.InvariantCulture)}";
        if (request.Cursor is not null)
        {
            // The cursor is a Stripe object id this adapter handed out; anything else could smuggle query parameters.
            if (!CursorShape().IsMatch(request.Cursor))
            {
                throw PayApiException.Invalid("The cursor is not valid.");
            }

            query += "&starting_after=" + Uri.EscapeDataString(request.Cursor);
        }

        if (request.CreatedSince is { } since)
        {
            query += "&created%5Bgte%5D=" + since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        return query;
    }

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

        if (StripeKeyFormat.IsOrganisation(key))
        {
            throw new PayApiException(
                ErrorCodes.InsufficientKeyScope,
                "That is an organisation API key, which reaches every account of a Stripe organisation. Connect one account: in that account's Dashboard, create a restricted key (rk_...) with only Read permissions (Balance, Charges, Payouts) and use that instead.");
        }

        if (!StripeKeyFormat.IsWellFormed(key))
        {
            throw new PayApiException(ErrorCodes.InvalidCredentials, "That does not look like a Stripe API key. Use a restricted key (rk_...) with read-only permissions.");
        }

        return key;
    }

    private async Task<StripeResponse> GetAsync(string key, string pathAndQuery, string what, string capability, CancellationToken cancellationToken)
    {
        var response = await _transport.SendAsync(key, HttpMethod.Get, pathAndQuery, what, retry: true, cancellationToken).ConfigureAwait(false);
        return response.IsSuccess ? response : throw _errors.Classify(response.Status, StripePhase.Fetch, what, capability);
    }

    /// <summary>
    /// One page: the envelope must be Stripe's list (else unexpected_provider_response); each item is read on its own and
    /// skipped when it is not the object we expect. The next cursor is the last item's id, even when that item was skipped,
    /// so paging neither stops nor repeats.
    /// </summary>
    private async Task<(List<T> Items, string? Next)> ListAsync<T>(
        string key, string path, ProviderListRequest request, string objectName, Regex idShape, string what, string capability, CancellationToken cancellationToken)
        where T : class
    {
        var response = await GetAsync(key, ListQuery(path, request), what, capability, cancellationToken).ConfigureAwait(false);
        var list = _errors.Parse<StripeListDto>(response, what);

        // "More" with an empty page would send the caller round in circles.
        if (list.Object != "list" || (list.HasMore && list.Data.Count == 0))
        {
            throw _errors.Unexpected(HttpStatusCode.OK, what);
        }

        var items = new List<T>(list.Data.Count);
        foreach (var element in list.Data)
        {
            if (ReadItem<T>(element, objectName, idShape, what) is { } item)
            {
                items.Add(item);
            }
        }

        string? next = null;
        if (list.HasMore)
        {
            next = IdOf(list.Data[^1]);
            if (next is null || !CursorShape().IsMatch(next))
            {
                // Without the last id there is no way to ask for the rest.
                throw _errors.Unexpected(HttpStatusCode.OK, what);
            }
        }

        return (items, next);
    }

    private T? ReadItem<T>(JsonElement element, string objectName, Regex idShape, string what)
        where T : class
    {
        var id = IdOf(element);
        string reason;
        if (id is null || !idShape.IsMatch(id))
        {
            reason = "unknown id shape";
        }
        else if (!(element.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.String && obj.ValueEquals(objectName)))
        {
            reason = "not a " + objectName;
        }
        else
        {
            try
            {
                return element.Deserialize<T>(StripeErrors.Json) ?? throw new JsonException();
            }
            catch (JsonException)
            {
                reason = "missing or malformed field";
            }
        }

        StripeAdapterLog.ItemSkipped(_logger, _options.ProviderId, what, IdShapeOf(id), reason);
        return null;
    }

    private static string? IdOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;

    /// <summary>What a log line may say about an id: its prefix (<c>ch</c>, <c>py</c>...) when it has a plain one, never the id.</summary>
    internal static string IdShapeOf(string? id)
    {
        if (id is null)
        {
            return "none";
        }

        var underscore = id.IndexOf('_', StringComparison.Ordinal);
        return underscore is > 0 and <= 8 && id[..underscore].All(char.IsAsciiLetterLower) ? id[..(underscore + 1)] : "unrecognised";
    }

    private static string Currency(string currency) => currency.ToLowerInvariant();

    [GeneratedRegex("^(ch|py)_[A-Za-z0-9]{1,250}$", RegexOptions.CultureInvariant)]
    private static partial Regex ChargeId();

    [GeneratedRegex("^po_[A-Za-z0-9]{1,250}$", RegexOptions.CultureInvariant)]
    private static partial Regex PayoutId();

    /// <summary>Any Stripe object id (a short lower-case prefix, then letters and digits): safe in a query string.</summary>
    [GeneratedRegex("^[a-z]{1,8}_[A-Za-z0-9]{1,250}$", RegexOptions.CultureInvariant)]
    private static partial Regex CursorShape();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}(\\.[a-z]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionShape();
}
