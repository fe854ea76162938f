using System.Text.Json;
using System.Text.Json.Serialization;

namespace PayApi.Providers;

// The parts of Stripe's JSON the adapter reads. Parameters without a default are required (and
// non-nullable ones may not be null): a payload without them is one we do not understand
// (unexpected_provider_response for an envelope, a skipped item for one list item), not a zero.
// Fields Stripe may omit carry a default. Every required field here is also required in Stripe's
// published OpenAPI schema of the object, so a real Stripe answer always has it.

/// <summary>A list envelope; its items are read one by one so one odd item does not sink the page.</summary>
internal sealed record StripeListDto(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<JsonElement> Data,
    [property: JsonPropertyName("has_more")] bool HasMore);

internal sealed record StripeChargeDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("amount_refunded")] long AmountRefunded,
    [property: JsonPropertyName("captured")] bool Captured,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("refunded")] bool Refunded,
    [property: JsonPropertyName("description")] string? Description = null);

internal sealed record StripePayoutDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("arrival_date")] long ArrivalDate,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("status")] string Status);

internal sealed record StripeBalanceDto(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("available")] IReadOnlyList<StripeBalanceAmountDto> Available,
    [property: JsonPropertyName("pending")] IReadOnlyList<StripeBalanceAmountDto> Pending);

internal sealed record StripeBalanceAmountDto(
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("currency")] string Currency);

internal sealed record StripeErrorEnvelopeDto([property: JsonPropertyName("error")] StripeErrorDto Error);

internal sealed record StripeErrorDto(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("code")] string? Code = null);
