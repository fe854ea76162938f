using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>
/// A provider whose lists can be read by creation time (Stripe's <c>created[gte]</c>), so a connection fetches only
/// what is new or changed since its high-water mark, and backfills older history page by page in the background.
/// The grain's sync coordinator drives it; adapters without it are fetched whole (<see cref="IProviderAdapter.FetchAllAsync"/>).
/// </summary>
public interface IIncrementalProvider
{
    /// <summary>
    /// How far before the high-water mark a refresh reads again, so items that changed after they were first read
    /// (a pending charge that succeeded, a refund, a payout that arrived) are read again.
    /// </summary>
    TimeSpan UpdateOverlap { get; }

    /// <summary>
    /// One page of transactions, newest first. With <see cref="ProviderListRequest.CreatedSince"/> only items created at
    /// or after it; with <see cref="ProviderListRequest.Cursor"/> (a previous page's <c>NextCursor</c>) the items after
    /// that page. The page reports when its newest item was created (<see cref="ProviderPage{T}.NewestCreatedAt"/>).
    /// </summary>
    Task<ProviderPage<TransactionItem>> ListTransactionsAsync(ProviderContext context, ProviderListRequest request, CancellationToken cancellationToken);

    /// <summary>One page of payouts, as <see cref="ListTransactionsAsync"/>; creation time, not arrival date, is what is filtered.</summary>
    Task<ProviderPage<PayoutItem>> ListPayoutsAsync(ProviderContext context, ProviderListRequest request, CancellationToken cancellationToken);
}

/// <summary>Where a list read starts: after a cursor, and/or only items created at or after a time.</summary>
public sealed record ProviderListRequest(string? Cursor = null, DateTimeOffset? CreatedSince = null);
