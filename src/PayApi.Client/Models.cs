using System.Text.Json;

namespace PayApi.Client;

// The API's JSON bodies (snake_case on the wire; see the OpenAPI document at /openapi/v1.json).

public sealed record ProviderField(string Name, string Label, bool Secret);

public sealed record Provider(string Id, string Name, string Auth, bool Mfa, IReadOnlyList<string> Capabilities, IReadOnlyList<ProviderField> Fields);

/// <summary>What <c>POST /v1/connect/sessions</c> takes.</summary>
public sealed record ConnectSessionRequest(string EndUserId)
{
    /// <summary>Provider ids to offer; all when null.</summary>
    public IReadOnlyList<string>? Providers { get; init; }

    /// <summary>Where the Connect page sends the end-user when done.</summary>
    public Uri? RedirectUri { get; init; }

    /// <summary>One of your connections to repair in place.</summary>
    public string? ConnectionId { get; init; }
}

public sealed record CreatedConnectSession(string SessionId, Uri ConnectUrl, DateTimeOffset ExpiresAt);

public sealed record ApiError(string Code, string Detail);

/// <summary>A connect session: status <c>pending</c>, <c>verifying</c>, <c>awaiting_mfa</c>, <c>succeeded</c>, <c>failed</c> or <c>expired</c>.</summary>
public sealed record ConnectSession(string SessionId, string Status, string? Provider, string? Code, ApiError? Error, DateTimeOffset? ExpiresAt)
{
    /// <summary>True once the end-user connected: <see cref="Code"/> is then ready for the exchange.</summary>
    public bool Succeeded => Status == "succeeded";

    /// <summary>
    /// Returns the exchange code when the session succeeded; otherwise raises its error (the end-user's last attempt, such
    /// as <c>invalid_credentials</c>, or <c>session_expired</c>) as a <see cref="PayApiException"/>.
    /// </summary>
    public string EnsureSucceeded()
    {
        if (Succeeded && Code is { Length: > 0 })
        {
            return Code;
        }

        var error = Error ?? (Status == "expired"
            ? new ApiError(PayApiErrorCodes.SessionExpired, "The connect session expired.")
            : new ApiError("session_" + Status, $"The connect session is {Status}."));
        throw PayApiErrorCodes.ToException(error);
    }
}

public sealed record ExchangedConnection(string ConnectionId, string AccessToken);

public sealed record SyncInfo(string State, DateTimeOffset? OldestAt);

public sealed record Connection(
    string ConnectionId,
    string Provider,
    string EndUserId,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastRefreshedAt,
    DateTimeOffset? NextRefreshAt,
    ApiError? Error,
    SyncInfo? Sync,
    IReadOnlyList<string>? Capabilities,
    DateTimeOffset? DisconnectedAt = null);

public sealed record DisconnectReceipt(string ConnectionId, DateTimeOffset DisconnectedAt, IReadOnlyList<string> Wiped);

public sealed record BalanceAmount(string Currency, long Available, long Pending);

public sealed record Balance(IReadOnlyList<BalanceAmount> Data, DateTimeOffset FetchedAt, bool Cached);

/// <summary>One transaction; <see cref="Amount"/> is in minor units, negative for money out.</summary>
public sealed record Transaction(string Id, DateTimeOffset Date, long Amount, string Currency, string Description, string Status);

public sealed record Payout(string Id, DateTimeOffset ArrivalDate, long Amount, string Currency, string Status);

/// <summary>One page of a list; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Data, string? NextCursor, DateTimeOffset? FetchedAt, bool? Cached);

/// <summary>Filters of the transaction list.</summary>
public sealed record TransactionQuery
{
    /// <summary>Items per request, 1 to 500.</summary>
    public int PageSize { get; init; } = 100;

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }
}

/// <summary>A month's usage of this client (<c>GET /v1/usage</c>).</summary>
public sealed record Usage(string ClientId, string Month, long ApiCalls, long ActiveConnections, IReadOnlyList<JsonElement> LineItems);

/// <summary>The webhook endpoint and its signing secret (shown once).</summary>
public sealed record WebhookEndpoint(string? Url, string SigningSecret);

/// <summary>An event with its delivery attempts; <see cref="Data"/> and <see cref="Attempts"/> as the API wrote them.</summary>
public sealed record WebhookEvent(string Id, string Type, DateTimeOffset CreatedAt, JsonElement Data, JsonElement? Attempts);
