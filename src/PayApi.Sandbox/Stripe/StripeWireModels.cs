using System.Text.Json.Serialization;

namespace PayApi.Sandbox.Stripe;

// The JSON shapes Stripe's REST API uses (serialized snake_case). Charges and payouts carry every field Stripe's
// published OpenAPI description marks required, with nulls where Stripe sends null, plus a few optional ones callers read.

internal sealed record StripeCharge(
    string Id,
    string Object,
    long Amount,
    long AmountCaptured,
    long AmountRefunded,
    string? BalanceTransaction,
    StripeBillingDetails BillingDetails,
    bool Captured,
    long Created,
    string Currency,
    string? Customer,
    string? Description,
    bool Disputed,
    string? FailureCode,
    string? FailureMessage,
    bool Livemode,
    IReadOnlyDictionary<string, string> Metadata,
    bool Paid,
    string? PaymentIntent,
    bool Refunded,
    string Status);

internal sealed record StripeBillingDetails(StripeAddress Address, string? Email, string? Name, string? Phone);

internal sealed record StripeAddress(string? City, string? Country, string? Line1, string? Line2, string? PostalCode, string? State)
{
    public static readonly StripeAddress Empty = new(null, null, null, null, null, null);
}

internal sealed record StripePayout(
    string Id,
    string Object,
    long Amount,
    long ArrivalDate,
    bool Automatic,
    string? BalanceTransaction,
    long Created,
    string Currency,
    string? Description,
    string? Destination,
    string? FailureCode,
    string? FailureMessage,
    bool Livemode,
    IReadOnlyDictionary<string, string> Metadata,
    string Method,
    string ReconciliationStatus,
    string SourceType,
    string? StatementDescriptor,
    string Status,
    string Type);

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
