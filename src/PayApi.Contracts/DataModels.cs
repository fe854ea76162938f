namespace PayApi.Contracts;

/// <summary>One currency's balance in minor units.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.BalanceAmount")]
public sealed record BalanceAmount(
    [property: Id(0)] string Currency,
    [property: Id(1)] long Available,
    [property: Id(2)] long Pending);

/// <summary>A transaction; <c>Amount</c> is negative for money out.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.TransactionItem")]
public sealed record TransactionItem(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset Date,
    [property: Id(2)] long Amount,
    [property: Id(3)] string Currency,
    [property: Id(4)] string Description,
    [property: Id(5)] string Status);

/// <summary>A payout to the account holder's bank.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.PayoutItem")]
public sealed record PayoutItem(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset ArrivalDate,
    [property: Id(2)] long Amount,
    [property: Id(3)] string Currency,
    [property: Id(4)] string Status);

/// <summary>The answer to <c>GET /v1/balance</c>.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.BalanceView")]
public sealed record BalanceView(
    [property: Id(0)] IReadOnlyList<BalanceAmount> Data,
    [property: Id(1)] DateTimeOffset FetchedAt,
    [property: Id(2)] bool Cached);

/// <summary>A page of items with an opaque cursor for the next page.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.PageView`1")]
public sealed record PageView<T>(
    [property: Id(0)] IReadOnlyList<T> Data,
    [property: Id(1)] string? NextCursor,
    [property: Id(2)] DateTimeOffset FetchedAt,
    [property: Id(3)] bool Cached);

/// <summary>Paging and date filters of a list call, already validated by the gateway.</summary>
[GenerateSerializer, Immutable]
[Alias("PayApi.ListQuery")]
public sealed record ListQuery(
    [property: Id(0)] int Limit,
    [property: Id(1)] string? Cursor,
    [property: Id(2)] DateTimeOffset? From,
    [property: Id(3)] DateTimeOffset? To);
