using PayApi.Contracts;

namespace PayApi.ProviderData;

/// <summary>
/// What an active connection keeps of its provider data: the balance and the newest items of each list, bounded by
/// <see cref="ProviderDataOptions.WindowItems"/> whatever the length of the history. Everything else stays in the
/// chunk store.
/// </summary>
public sealed class DataWindow(
    DateTimeOffset fetchedAt,
    IReadOnlyList<BalanceAmount> balances,
    ListWindow<TransactionItem> transactions,
    ListWindow<PayoutItem> payouts)
{
    public DateTimeOffset FetchedAt { get; } = fetchedAt;

    public IReadOnlyList<BalanceAmount> Balances { get; } = balances;

    public ListWindow<TransactionItem> Transactions { get; } = transactions;

    public ListWindow<PayoutItem> Payouts { get; } = payouts;
}
