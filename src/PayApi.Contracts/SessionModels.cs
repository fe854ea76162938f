namespace PayApi.Contracts;

/// <summary>Connect session statuses of docs/api.md.</summary>
public static class SessionStatus
{
    public const string Pending = "pending";
    public const string Verifying = "verifying";
    public const string AwaitingMfa = "awaiting_mfa";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Expired = "expired";
}

/// <summary>A validated request to open a connect session.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.SessionRequest")]
public sealed record SessionRequest(
    [property: Id(0)] string EndUserId,
    [property: Id(1)] IReadOnlyList<string>? Providers,
    [property: Id(2)] string? RedirectUri,
    [property: Id(3)] string? ConnectionId);

/// <summary>A created (or idempotently replayed) connect session.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.SessionCreated")]
public sealed record SessionCreated(
    [property: Id(0)] string SessionId,
    [property: Id(1)] DateTimeOffset ExpiresAt);

/// <summary>The session as its developer sees it.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.SessionView")]
public sealed record SessionView(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string Status,
    [property: Id(2)] string? Provider,
    [property: Id(3)] string? Code,
    [property: Id(4)] ErrorInfo? Error,
    [property: Id(5)] DateTimeOffset ExpiresAt);

/// <summary>
/// The session as the end-user's Connect page sees it. <see cref="ClientId"/> lets the gateway name the developer's app
/// (the client's display name); the page itself is never shown the id.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ConnectPageView")]
public sealed record ConnectPageView(
    [property: Id(0)] string Status,
    [property: Id(1)] IReadOnlyList<string> Providers,
    [property: Id(2)] ErrorInfo? Error,
    [property: Id(3)] string? RedirectTo,
    [property: Id(4)] string? Provider,
    [property: Id(5)] string ClientId = "",
    [property: Id(6)] int AttemptsRemaining = 0,
    [property: Id(7)] int MaxAttempts = 0);

/// <summary>What an exchanged code yields: the connection and the token generation to sign.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ExchangeResult")]
public sealed record ExchangeResult(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] long Generation);
