using PayApi.Contracts;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary>
/// The Stripe adapter against its own sandbox per test (request counts and fault switches are per server): key scope,
/// per-capability access, the pinned version, retries over a long history, and incremental lists.
/// </summary>
public sealed class StripeSandboxAccessTests
{
    [Fact]
    public async Task Read_only_key_is_probed_once_per_refused_write_and_connects()
    {
        await using var sandbox = await StartSandboxAsync();

        var capabilities = await Adapter(sandbox.StripeBaseAddress).VerifyAccessAsync(Context(ReadOnlyKey), CancellationToken.None);

        Assert.Equal([Capabilities.Balance, Capabilities.Transactions, Capabilities.Payouts], capabilities);
        foreach (var path in new[] { "/v1/payment_intents", "/v1/charges/ch_PayApiProbeNoSuchCharge", "/v1/refunds/re_PayApiProbeNoSuchRefund", "/v1/payouts", "/v1/transfers", "/v1/topups" })
        {
            Assert.Equal(1, sandbox.StripeRequestsTo(path, "POST"));
        }

        Assert.Equal(6, sandbox.StripeWriteRequestCount);
    }

    [Fact]
    public async Task Key_that_can_write_payouts_is_refused_naming_payouts()
    {
        await using var sandbox = await StartSandboxAsync();

        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter(sandbox.StripeBaseAddress).VerifyAsync(Context(WritePayoutsKey), CancellationToken.None));

        Assert.Equal(ErrorCodes.InsufficientKeyScope, ex.Code);
        Assert.Contains("payouts", ex.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("PaymentIntents", ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SecretKey)]
    [InlineData(LiveSecretKey)]
    public async Task Secret_keys_are_refused_without_any_write_request(string key)
    {
        await using var sandbox = await StartSandboxAsync();

        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter(sandbox.StripeBaseAddress).VerifyAsync(Context(key), CancellationToken.None));

        Assert.Equal(ErrorCodes.InsufficientKeyScope, ex.Code);
        Assert.Contains("secret key", ex.Detail, StringComparison.Ordinal);
        Assert.Equal(0, sandbox.StripeWriteRequestCount);
        Assert.Equal(1, sandbox.StripeRequestsTo("/v1/balance", "GET"));
    }

    [Fact]
    public async Task Invalid_secret_key_is_invalid_credentials_without_any_write_request()
    {
        await using var sandbox = await StartSandboxAsync();

        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter(sandbox.StripeBaseAddress).VerifyAsync(Context("sk_live_51invalidSecretA1b2C3"), CancellationToken.None));

        Assert.Equal(ErrorCodes.InvalidCredentials, ex.Code);
        Assert.Equal(0, sandbox.StripeWriteRequestCount);
    }

    [Theory]
    [InlineData(NoPayoutsKey, Capabilities.Payouts, "payouts")]
    [InlineData(NoChargesKey, Capabilities.Transactions, "transactions")]
    public async Task Key_without_one_read_verifies_with_the_others_and_that_fetch_is_forbidden(string key, string missing, string named)
    {
        await using var sandbox = await StartSandboxAsync();
        var adapter = Adapter(sandbox.StripeBaseAddress);

        var capabilities = await adapter.VerifyAccessAsync(Context(key), CancellationToken.None);

        Assert.Equal(adapter.Info.Capabilities.Where(c => c != missing), capabilities);
        Assert.NotEmpty(await adapter.GetBalanceAsync(Context(key), CancellationToken.None));
        Func<Task> transactions = () => adapter.GetTransactionsAsync(Context(key), null, CancellationToken.None);
        Func<Task> payouts = () => adapter.GetPayoutsAsync(Context(key), null, CancellationToken.None);
        var (forbidden, allowed) = missing == Capabilities.Payouts ? (payouts, transactions) : (transactions, payouts);
        await allowed();
        var ex = await Assert.ThrowsAsync<PayApiException>(forbidden);
        Assert.Equal(ErrorCodes.Forbidden, ex.Code);
        Assert.Contains(named, ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_request_carries_the_pinned_stripe_version()
    {
        await using var sandbox = await StartSandboxAsync();
        var adapter = Adapter(sandbox.StripeBaseAddress);

        await adapter.VerifyAsync(Context(ReadOnlyKey), CancellationToken.None);
        await ((IProviderAdapter)adapter).FetchAllAsync(Context(ReadOnlyKey), CancellationToken.None);

        Assert.True(sandbox.StripeRequestCount > 10);
        Assert.Equal(0, sandbox.StripeRequestsWithoutVersion);
        Assert.Equal(StripeAdapterOptions.DefaultApiVersion, sandbox.StripeLastApiVersion);
    }

    [Fact]
    public async Task Rate_limit_on_page_7_of_a_long_history_is_retried_and_every_charge_read()
    {
        await using var sandbox = await StartSandboxAsync();
        var adapter = Adapter(sandbox.StripeBaseAddress);
        var context = Context("rk_test_history1000xPageSeven");
        var ids = new List<string>();
        string? cursor = null;
        var page = 0;
        do
        {
            page++;
            if (page == 7)
            {
                sandbox.StripeRateLimitNext(1);
            }

            var result = await adapter.GetTransactionsAsync(context, cursor, CancellationToken.None);
            ids.AddRange(result.Items.Select(t => t.Id));
            cursor = result.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(10, page);
        Assert.Equal(1000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(11, sandbox.StripeRequestsTo("/v1/charges", "GET"));
    }

    [Fact]
    public async Task Server_error_is_retried_unless_stripe_says_not_to()
    {
        await using var sandbox = await StartSandboxAsync();
        var adapter = Adapter(sandbox.StripeBaseAddress);

        sandbox.StripeServerErrorNext(2);
        Assert.NotEmpty(await adapter.GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));
        Assert.Equal(3, sandbox.StripeRequestsTo("/v1/balance"));

        sandbox.StripeServerErrorsShouldRetry = false;
        sandbox.StripeServerErrorNext(1);
        var ex = await Assert.ThrowsAsync<PayApiException>(() => adapter.GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));
        Assert.Equal(ErrorCodes.ProviderUnavailable, ex.Code);
        Assert.Equal(4, sandbox.StripeRequestsTo("/v1/balance"));
    }

    [Fact]
    public async Task Incremental_lists_read_only_what_is_new_and_report_the_high_water_mark()
    {
        await using var sandbox = await StartSandboxAsync();
        var adapter = (IIncrementalProvider)Adapter(sandbox.StripeBaseAddress);
        var context = Context(ReadOnlyKey);
        Assert.Equal(TimeSpan.FromDays(3), adapter.UpdateOverlap);

        var first = await adapter.ListTransactionsAsync(context, new ProviderListRequest(), CancellationToken.None);
        var mark = first.NewestCreatedAt!.Value;
        Assert.Equal(first.Items[0].Date, mark);

        sandbox.AddStripeCharges(ReadOnlyKey, 3);
        var fresh = await adapter.ListTransactionsAsync(context, new ProviderListRequest(CreatedSince: mark.AddSeconds(1)), CancellationToken.None);

        Assert.Equal(3, fresh.Items.Count);
        Assert.Null(fresh.NextCursor);
        Assert.All(fresh.Items, t => Assert.True(t.Date > mark));
        Assert.Equal(mark.AddMinutes(3), fresh.NewestCreatedAt);

        var payouts = await adapter.ListPayoutsAsync(context, new ProviderListRequest(), CancellationToken.None);
        Assert.True(payouts.NewestCreatedAt < payouts.Items[0].ArrivalDate, "the high-water mark must be the creation time, not the arrival date");
    }

    [Fact]
    public async Task Fetch_all_reads_py_payments_and_uncaptured_charges_as_pending()
    {
        await using var sandbox = await StartSandboxAsync();

        var data = await ((IProviderAdapter)Adapter(sandbox.StripeBaseAddress)).FetchAllAsync(Context(LiveReadOnlyKey), CancellationToken.None);

        Assert.Equal(130, data.Transactions.Count);
        Assert.Contains(data.Transactions, t => t.Id.StartsWith("py_", StringComparison.Ordinal));
        Assert.Single(data.Transactions, t => t.Status == "canceled");
        Assert.NotEmpty(data.Payouts);
        Assert.NotEmpty(data.Balances);
    }
}
