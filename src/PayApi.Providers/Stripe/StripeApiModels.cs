using System.Text.Json.Serialization;

namespace PayApi.Providers;

// The parts of Stripe's JSON the adapter reads. Parameters without a default are required (and
// non-nullable ones may not be null): a payload without them is one we do not understand
// (unexpected_provider_response), not a zero. Fields Stripe may omit carry a default.

internal sealed record StripeListDto<T>(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<T> Data,
    [property: JsonPropertyName("has_more")] bool HasMore);

internal sealed record StripeChargeDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("amount_refunded")] long AmountRefunded,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("refunded")] bool Refunded);

internal sealed record StripePayoutDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("arrival_date")] long ArrivalDate,
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
