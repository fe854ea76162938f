using System.Globalization;
using System.Net.Http.Headers;

namespace PayApi.Client;

/// <summary>
/// The calls of one end-user's connection, authenticated with its access token (from <see cref="PayApiClient.ExchangeCodeAsync"/>).
/// Cheap to create: <c>client.ForConnection(token)</c> per request is fine. Every call counts one unit of usage.
/// </summary>
public sealed class PayApiConnection
{
    private readonly PayApiTransport _transport;
    private readonly AuthenticationHeaderValue _auth;

    internal PayApiConnection(PayApiTransport transport, string accessToken)
    {
        _transport = transport;
        _auth = PayApiTransport.Bearer(accessToken);
    }

    /// <summary><c>GET /v1/connection</c>.</summary>
    public Task<Connection> GetConnectionAsync(CancellationToken cancellationToken = default) => Get<Connection>("v1/connection", cancellationToken);

    /// <summary><c>GET /v1/balance</c>.</summary>
    public Task<Balance> GetBalanceAsync(CancellationToken cancellationToken = default) => Get<Balance>("v1/balance", cancellationToken);

    /// <summary>One page of <c>GET /v1/transactions</c>, newest first.</summary>
    public Task<Page<Transaction>> GetTransactionsPageAsync(TransactionQuery? query = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        query ??= new TransactionQuery();
        var path = $"v1/transactions?limit={query.PageSize.ToString(CultureInfo.InvariantCulture)}"
            + (query.From is { } from ? "&from=" + Uri.EscapeDataString(from.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)) : "")
            + (query.To is { } to ? "&to=" + Uri.EscapeDataString(to.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)) : "")
            + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
        return Get<Page<Transaction>>(path, cancellationToken);
    }

    /// <summary>Every transaction, newest first, fetched page by page as the caller enumerates.</summary>
    public IAsyncEnumerable<Transaction> ListTransactionsAsync(TransactionQuery? query = null, CancellationToken cancellationToken = default) =>
        Paging.All(cursor => GetTransactionsPageAsync(query, cursor, cancellationToken), cancellationToken);

    /// <summary>One page of <c>GET /v1/payouts</c>, newest first.</summary>
    public Task<Page<Payout>> GetPayoutsPageAsync(int pageSize = 100, string? cursor = null, CancellationToken cancellationToken = default) =>
        Get<Page<Payout>>($"v1/payouts?limit={pageSize.ToString(CultureInfo.InvariantCulture)}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), cancellationToken);

    /// <summary>Every payout, newest first, fetched page by page as the caller enumerates.</summary>
    public IAsyncEnumerable<Payout> ListPayoutsAsync(int pageSize = 100, CancellationToken cancellationToken = default) =>
        Paging.All(cursor => GetPayoutsPageAsync(pageSize, cursor, cancellationToken), cancellationToken);

    /// <summary>
    /// <c>POST /v1/connection/refresh</c>: fresh data is fetched from the provider now. Safe to repeat (a refresh joins the
    /// one in flight), so a <c>429</c> from the provider's minimum refresh interval is waited out and retried.
    /// </summary>
    public Task RefreshAsync(CancellationToken cancellationToken = default) =>
        _transport.SendAsync<System.Text.Json.JsonElement>(HttpMethod.Post, "v1/connection/refresh", _auth, null, retrySafe: true, null, cancellationToken);

    /// <summary><c>POST /v1/disconnect</c>: wipes the connection's secrets; afterwards this token gets <c>unauthorized</c>.</summary>
    public Task<DisconnectReceipt> DisconnectAsync(CancellationToken cancellationToken = default) =>
        _transport.SendAsync<DisconnectReceipt>(HttpMethod.Post, "v1/disconnect", _auth, null, retrySafe: false, null, cancellationToken);

    private Task<T> Get<T>(string path, CancellationToken cancellationToken) =>
        _transport.SendAsync<T>(HttpMethod.Get, path, _auth, null, retrySafe: true, null, cancellationToken);
}
