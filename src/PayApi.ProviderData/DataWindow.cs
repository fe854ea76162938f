using PayApi.Contracts;

namespace PayApi.ProviderData;

/// <summary>
/// What an active connection keeps of its provider data: the balance and the newest items of each list, bounded by
/// <see cref="ProviderDataOptions.WindowItems"/> whatever the length of the history. Everything else stays in the
/// chunk store.
/// </summary>
public sealed class DataWindow(
    long generation,
    DateTimeOffset fetchedAt,
    IReadOnlyList<BalanceAmount> balances,
    ListWindow<TransactionItem> transactions,
    ListWindow<PayoutItem> payouts)
{
    /// <summary>The generation this window was read from: pages beyond it are read from the same one.</summary>
    public long Generation { get; } = generation;

    public DateTimeOffset FetchedAt { get; } = fetchedAt;

    public IReadOnlyList<BalanceAmount> Balances { get; } = balances;

    public ListWindow<TransactionItem> Transactions { get; } = transactions;

    public ListWindow<PayoutItem> Payouts { get; } = payouts;
}
