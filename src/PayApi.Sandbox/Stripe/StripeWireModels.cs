using System.Text.Json.Serialization;

namespace PayApi.Sandbox.Stripe;

// The JSON shapes Stripe's REST API uses (serialized snake_case), kept to the fields callers read.

internal sealed record StripeCharge(
    string Id,
    string Object,
    long Amount,
    long AmountRefunded,
    string Currency,
    long Created,
    string? Description,
    string Status,
    bool Paid,
    bool Refunded,
    bool Livemode);

internal sealed record StripePayout(
    string Id,
    string Object,
    long Amount,
    long ArrivalDate,
    long Created,
    string Currency,
    string Status,
    string Method,
    string Type,
    bool Livemode);

internal sealed record StripeBalanceAmount(long Amount, string Currency, IReadOnlyDictionary<string, long> SourceTypes);

internal sealed record StripeBalance(
    string Object,
    IReadOnlyList<StripeBalanceAmount> Available,
    IReadOnlyList<StripeBalanceAmount> Pending,
    bool Livemode);

internal sealed record StripeList<T>(string Object, IReadOnlyList<T> Data, bool HasMore, string Url);

internal sealed record StripeErrorBody(StripeError Error);

internal sealed record StripeError(
    string Type,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Param = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DocUrl = null);
