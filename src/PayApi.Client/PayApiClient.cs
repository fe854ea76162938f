using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PayApi.Client;

/// <summary>
/// The developer's calls (HTTP Basic client credentials): providers, connect sessions, exchange, connections, usage and
/// webhooks. <see cref="ForConnection"/> gives the calls of one end-user's connection (its bearer access token).
/// Register with <c>services.AddPayApiClient(o =&gt; ...)</c>, or construct it over an <see cref="HttpClient"/>.
/// </summary>
public sealed class PayApiClient
{
    private readonly PayApiTransport _transport;

    [ActivatorUtilitiesConstructor]
    public PayApiClient(HttpClient http, IOptions<PayApiClientOptions> options)
        : this(http, options.Value)
    {
    }

    public PayApiClient(HttpClient http, PayApiClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseAddress is { } baseAddress)
        {
            http.BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        }
        else if (http.BaseAddress is null)
        {
            throw new InvalidOperationException("PayApiClientOptions.BaseAddress (or the HttpClient's BaseAddress) is required.");
        }

        _transport = new PayApiTransport(http, options);
    }

    /// <summary>The calls of one connection, authenticated with its access token.</summary>
    public PayApiConnection ForConnection(string accessToken) => new(_transport, accessToken);

    /// <summary><c>GET /v1/providers</c>.</summary>
    public async Task<IReadOnlyList<Provider>> GetProvidersAsync(CancellationToken cancellationToken = default) =>
        (await Get<DataList<Provider>>("v1/providers", cancellationToken).ConfigureAwait(false)).Data;

    /// <summary>
    /// <c>POST /v1/connect/sessions</c>. Sent with an <c>Idempotency-Key</c> (a new one when none is given), so a retry
    /// after a lost answer returns the same session rather than opening another.
    /// </summary>
    public Task<CreatedConnectSession> CreateConnectSessionAsync(ConnectSessionRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new
        {
            end_user_id = request.EndUserId,
            providers = request.Providers,
            redirect_uri = request.RedirectUri?.AbsoluteUri,
            connection_id = request.ConnectionId,
        };
        return _transport.SendAsync<CreatedConnectSession>(HttpMethod.Post, "v1/connect/sessions", Basic, body, retrySafe: false,
            idempotencyKey ?? Guid.NewGuid().ToString("n"), cancellationToken);
    }

    /// <summary><c>GET /v1/connect/sessions/{session_id}</c>.</summary>
    public Task<ConnectSession> GetConnectSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Get<ConnectSession>("v1/connect/sessions/" + Segment(sessionId), cancellationToken);

    /// <summary>
    /// Polls <c>GET /v1/connect/sessions/{session_id}</c> until the end-user's attempt is no longer being verified: the
    /// session has succeeded, failed or expired, waits for an MFA code, or is pending again after an error the end-user
    /// can fix (<see cref="ConnectSession.Error"/>). <see cref="ConnectSession.EnsureSucceeded"/> then gives the code or throws.
    /// </summary>
    public async Task<ConnectSession> WaitForConnectSessionAsync(string sessionId, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var session = await GetConnectSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
            if (session.Status != "verifying" && (session.Status != "pending" || session.Error is not null))
            {
                return session;
            }

            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>POST /v1/connections/exchange</c>: the code of a succeeded session for the connection's access token. Single use: never retried.</summary>
    public Task<ExchangedConnection> ExchangeCodeAsync(string code, CancellationToken cancellationToken = default) =>
        _transport.SendAsync<ExchangedConnection>(HttpMethod.Post, "v1/connections/exchange", Basic, new { code }, retrySafe: false, null, cancellationToken);

    /// <summary><c>GET /v1/connections</c>, optionally of one end-user.</summary>
    public async Task<IReadOnlyList<Connection>> ListConnectionsAsync(string? endUserId = null, CancellationToken cancellationToken = default) =>
        (await Get<DataList<Connection>>("v1/connections" + (endUserId is null ? "" : "?end_user_id=" + Uri.EscapeDataString(endUserId)), cancellationToken).ConfigureAwait(false)).Data;

    /// <summary><c>GET /v1/connections/{connection_id}</c>.</summary>
    public Task<Connection> GetConnectionAsync(string connectionId, CancellationToken cancellationToken = default) =>
        Get<Connection>("v1/connections/" + Segment(connectionId), cancellationToken);

    /// <summary><c>DELETE /v1/connections/{connection_id}</c>: disconnects and wipes the connection's secrets.</summary>
    public Task<DisconnectReceipt> DeleteConnectionAsync(string connectionId, CancellationToken cancellationToken = default) =>
        _transport.SendAsync<DisconnectReceipt>(HttpMethod.Delete, "v1/connections/" + Segment(connectionId), Basic, null, retrySafe: true, null, cancellationToken);

    /// <summary><c>GET /v1/usage?month=YYYY-MM</c>.</summary>
    public Task<Usage> GetUsageAsync(int year, int month, CancellationToken cancellationToken = default) =>
        Get<Usage>(FormattableString.Invariant($"v1/usage?month={year:D4}-{month:D2}"), cancellationToken);

    /// <summary><c>PUT /v1/webhook</c>: sets the URL events are posted to; the answer's signing secret is shown once.</summary>
    public Task<WebhookEndpoint> SetWebhookAsync(Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        return _transport.SendAsync<WebhookEndpoint>(HttpMethod.Put, "v1/webhook", Basic, new { url = url.AbsoluteUri }, retrySafe: true, null, cancellationToken);
    }

    /// <summary><c>POST /v1/webhook/rotate-secret</c>: a new signing secret; the old one still signs alongside for 24 h.</summary>
    public Task<WebhookEndpoint> RotateWebhookSecretAsync(CancellationToken cancellationToken = default) =>
        _transport.SendAsync<WebhookEndpoint>(HttpMethod.Post, "v1/webhook/rotate-secret", Basic, null, retrySafe: false, null, cancellationToken);

    /// <summary><c>GET /v1/webhook/events</c>, every page, with their delivery attempts.</summary>
    public IAsyncEnumerable<WebhookEvent> ListWebhookEventsAsync(CancellationToken cancellationToken = default) =>
        Paging.All(cursor => Get<Page<WebhookEvent>>("v1/webhook/events" + (cursor is null ? "" : "?cursor=" + Uri.EscapeDataString(cursor)), cancellationToken), cancellationToken);

    /// <summary><c>POST /v1/webhook/events/{id}/replay</c>: sends one event again.</summary>
    public Task ReplayWebhookEventAsync(string eventId, CancellationToken cancellationToken = default) =>
        _transport.SendAsync<System.Text.Json.JsonElement>(HttpMethod.Post, $"v1/webhook/events/{Segment(eventId)}/replay", Basic, null, retrySafe: false, null, cancellationToken);

    private System.Net.Http.Headers.AuthenticationHeaderValue Basic => PayApiTransport.Basic(_transport.Options);

    private Task<T> Get<T>(string path, CancellationToken cancellationToken) =>
        _transport.SendAsync<T>(HttpMethod.Get, path, Basic, null, retrySafe: true, null, cancellationToken);

    internal static string Segment(string id) =>
        string.IsNullOrWhiteSpace(id) ? throw new ArgumentException("An id is required.", nameof(id)) : Uri.EscapeDataString(id);

    private sealed record DataList<T>(IReadOnlyList<T> Data);
}

/// <summary>Follows <c>next_cursor</c> from page to page.</summary>
internal static class Paging
{
    public static async IAsyncEnumerable<T> All<T>(Func<string?, Task<Page<T>>> fetch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await fetch(cursor).ConfigureAwait(false);
            foreach (var item in page.Data)
            {
                yield return item;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }
}
