using PayApi.Contracts;

namespace PayApi.Providers;

/// <summary>Walks an adapter's cursor-paged calls to the end.</summary>
public static class PagedFetch
{
    // A provider that never ends its cursor must not pin a connection forever; accounts with years of history (tens of
    // thousands of items) must still be read whole.
    private const int MaxPages = 1_000;

    public static async Task<ProviderData> AllAsync(IProviderAdapter adapter, ProviderContext context, CancellationToken cancellationToken)
    {
        var balances = await adapter.GetBalanceAsync(context, cancellationToken);
        var transactions = await AllPagesAsync((c, ct) => adapter.GetTransactionsAsync(context, c, ct), cancellationToken);
        var payouts = await AllPagesAsync((c, ct) => adapter.GetPayoutsAsync(context, c, ct), cancellationToken);
        return new ProviderData(balances, transactions, payouts);
    }

    public static async Task<List<T>> AllPagesAsync<T>(Func<string?, CancellationToken, Task<ProviderPage<T>>> fetchPage, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        string? cursor = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var result = await fetchPage(cursor, cancellationToken);
            all.AddRange(result.Items);
            cursor = result.NextCursor;
            if (cursor is null)
            {
                return all;
            }
        }

        throw new PayApiException(ErrorCodes.UnexpectedProviderResponse, "The provider kept returning more pages than expected.");
    }
}
