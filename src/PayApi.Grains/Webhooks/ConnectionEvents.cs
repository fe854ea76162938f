using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PayApi.Contracts;

namespace PayApi.Grains.Webhooks;

/// <summary>
/// Builds the events a connection raises. Only ids, statuses, codes, counts and times go in: never a credential,
/// a cookie, an amount, a description or anything else read from the provider.
/// </summary>
public static class ConnectionEvents
{
    /// <summary>Why access will be lost (<c>data.reason</c> of <c>connection.pending_expiration</c>).</summary>
    public static class ExpirationReasons
    {
        public const string PasswordExpiring = "password_expiring";
        public const string ApiKeyExpiring = "api_key_expiring";
        public const string RefreshFailing = "refresh_failing";
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static WebhookEvent Connected(Subject s, DateTimeOffset now, bool repaired) =>
        Build(WebhookEventTypes.Connected, now, Data(s, ("status", ConnectionStatus.Connected), ("repaired", repaired)));

    public static WebhookEvent StatusChanged(Subject s, DateTimeOffset now, string previous, string current, string? errorCode) =>
        Build(WebhookEventTypes.StatusChanged, now, Data(s, ("previous_status", previous), ("status", current), ("error_code", errorCode)));

    public static WebhookEvent LoginRequired(Subject s, DateTimeOffset now, string? errorCode) =>
        Build(WebhookEventTypes.LoginRequired, now, Data(s, ("status", ConnectionStatus.LoginRequired), ("error_code", errorCode)));

    public static WebhookEvent DataUpdated(Subject s, DateTimeOffset now, int transactionCount, DateTimeOffset fetchedAt) =>
        Build(WebhookEventTypes.DataUpdated, now, Data(s, ("transaction_count", transactionCount), ("fetched_at", Time(fetchedAt))));

    public static WebhookEvent PendingExpiration(Subject s, DateTimeOffset now, string reason, DateTimeOffset? expiresAt, DateTimeOffset? failingSince) =>
        Build(WebhookEventTypes.PendingExpiration, now, Data(s, ("reason", reason), ("expires_at", expiresAt is { } e ? Time(e) : null), ("failing_since", failingSince is { } f ? Time(f) : null)));

    public static WebhookEvent Disconnected(Subject s, DateTimeOffset now) =>
        Build(WebhookEventTypes.Disconnected, now, Data(s, ("status", ConnectionStatus.Disconnected), ("disconnected_at", Time(now))));

    public static string NewEventId() => Ids.EventPrefix + Ids.Random(24);

    /// <summary>RFC 3339 UTC, as every time in the API.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static Dictionary<string, object?> Data(Subject s, params (string Name, object? Value)[] fields)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["connection_id"] = s.ConnectionId,
            ["end_user_id"] = s.EndUserId,
            ["provider"] = s.Provider,
        };
        foreach (var (name, value) in fields)
        {
            data[name] = value;
        }

        return data;
    }

    private static WebhookEvent Build(string type, DateTimeOffset now, Dictionary<string, object?> data)
    {
        var id = NewEventId();
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["id"] = id,
            ["type"] = type,
            ["created_at"] = Time(now),
            ["data"] = data,
        }, Json);
        return new WebhookEvent(id, type, now, body);
    }

    /// <summary>The connection an event is about.</summary>
    public sealed record Subject(string ConnectionId, string EndUserId, string Provider);
}
