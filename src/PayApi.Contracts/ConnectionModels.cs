using System.Text.Json.Serialization;

namespace PayApi.Contracts;

/// <summary>The connection statuses of docs/api.md.</summary>
public static class ConnectionStatus
{
    public const string Connected = "connected";
    public const string Refreshing = "refreshing";
    public const string LoginRequired = "login_required";
    public const string MfaRequired = "mfa_required";
    public const string Locked = "locked";
    public const string ProviderUnavailable = "provider_unavailable";
    public const string Disconnected = "disconnected";
}

/// <summary>A code and a caller-safe detail, as carried in <c>error</c> fields.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ErrorInfo")]
public sealed record ErrorInfo([property: Id(0)] string Code, [property: Id(1)] string Detail);

/// <summary>The connection object of docs/api.md.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ConnectionView")]
public sealed record ConnectionView(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string Provider,
    [property: Id(2)] string EndUserId,
    [property: Id(3)] string Status,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? LastRefreshedAt,
    [property: Id(6), JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? NextRefreshAt,
    [property: Id(7)] ErrorInfo? Error,
    [property: Id(8)] SyncView? Sync = null,
    [property: Id(9)] IReadOnlyList<string>? Capabilities = null,
    [property: Id(10)] DateTimeOffset? DisconnectedAt = null);

/// <summary>The <c>sync</c> states of docs/api.md.</summary>
public static class SyncStates
{
    /// <summary>Older history is still being read in the background; reads answer from what is synced so far.</summary>
    public const string Backfilling = "backfilling";

    /// <summary>The whole history is synced; refreshes read only what changed.</summary>
    public const string Synced = "synced";
}

/// <summary>Where a connection's history sync stands: its state, and the date of the oldest item synced so far.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.SyncView")]
public sealed record SyncView(
    [property: Id(0)] string State,
    [property: Id(1), JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? OldestAt);

/// <summary>What a validated access token says: which client, and which token generation.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.TokenGrant")]
public sealed record TokenGrant([property: Id(0)] string ClientId, [property: Id(1)] long Generation);

/// <summary>The receipt of a disconnect: what was wiped.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.DisconnectReceipt")]
public sealed record DisconnectReceipt(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] DateTimeOffset DisconnectedAt,
    [property: Id(2)] IReadOnlyList<string> Wiped);

/// <summary>Credentials an end-user submitted, on their way to verification; never logged, never returned.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.SubmittedCredentials")]
public sealed record SubmittedCredentials(
    [property: Id(0)] string Provider,
    [property: Id(1)] IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>Never print field values, even by accident through a record's generated ToString.</summary>
    public override string ToString() => $"SubmittedCredentials {{ Provider = {Provider}, Fields = [redacted] }}";
}

/// <summary>The request to connect (or repair) a connection with credentials.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ConnectRequest")]
public sealed record ConnectRequest(
    [property: Id(0)] string ClientId,
    [property: Id(1)] string EndUserId,
    [property: Id(2)] SubmittedCredentials Credentials,
    [property: Id(3)] string SessionId,
    [property: Id(4)] bool Repair = false);

/// <summary>The outcome of a connect attempt: success, or a typed error the user may fix.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ConnectOutcome")]
public sealed record ConnectOutcome(
    [property: Id(0)] bool Succeeded,
    [property: Id(1)] ErrorInfo? Error,
    [property: Id(2)] long Generation);
