using PayApi.Contracts;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary>The Stripe adapter driven against the real sandbox over loopback HTTP.</summary>
public sealed class StripeAdapterTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _sandbox;

    public StripeAdapterTests(SandboxFixture sandbox) => _sandbox = sandbox;

    private StripeAdapter Adapter() => TestSupport.Adapter(_sandbox.Server.StripeBaseAddress);

    [Fact]
    public async Task Restricted_read_only_key_verifies()
    {
        await Adapter().VerifyAsync(Context(ReadOnlyKey), CancellationToken.None);
    }

    [Fact]
    public async Task Pasted_key_with_surrounding_whitespace_verifies()
    {
        await Adapter().VerifyAsync(Context("  " + ReadOnlyKey + "\n"), CancellationToken.None);
    }

    [Fact]
    public async Task Secret_key_is_refused_as_insufficient_key_scope()
    {
        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter().VerifyAsync(Context(SecretKey), CancellationToken.None));
        Assert.Equal(ErrorCodes.InsufficientKeyScope, ex.Code);
    }

    [Theory]
    [InlineData(InvalidKey)]
    [InlineData("sk_test_51invalidSecretA1b2C3")]
    public async Task Key_containing_invalid_is_invalid_credentials(string key)
    {
        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter().VerifyAsync(Context(key), CancellationToken.None));
        Assert.Equal(ErrorCodes.InvalidCredentials, ex.Code);
    }

    [Fact]
    public async Task Live_restricted_read_only_key_connects_with_every_capability()
    {
        var capabilities = await Adapter().VerifyAccessAsync(Context(LiveReadOnlyKey), CancellationToken.None);
        Assert.Equal([Capabilities.Balance, Capabilities.Transactions, Capabilities.Payouts], capabilities);
    }

    [Fact]
    public async Task Missing_key_field_is_invalid_credentials()
    {
        var context = new ProviderContext("con_test", new ProviderCredentials(new Dictionary<string, string>()));
        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter().VerifyAsync(context, CancellationToken.None));
        Assert.Equal(ErrorCodes.InvalidCredentials, ex.Code);
    }

    [Fact]
    public async Task Transactions_page_through_every_charge_newest_first_without_duplicates()
    {
        var adapter = Adapter();
        var all = new List<TransactionItem>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await adapter.GetTransactionsAsync(Context(ReadOnlyKey), cursor, CancellationToken.None);
            Assert.InRange(page.Items.Count, 1, StripeAdapter.PageSize);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
            Assert.True(pages < 10, "paging did not end");
        }
        while (cursor is not null);

        Assert.True(all.Count >= 120, $"only {all.Count} transactions");
        Assert.Equal(2, pages);
        Assert.Equal(all.Count, all.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count());
        for (var i = 1; i < all.Count; i++)
        {
            Assert.True(all[i - 1].Date > all[i].Date, $"transaction {i} is not older than the one before it");
        }
    }

    [Fact]
    public async Task Transactions_map_charges_amounts_currencies_and_statuses()
    {
        using var raw = RawClient(_sandbox.Server.StripeBaseAddress);
        var charges = (await AllRawAsync(raw, "charges")).ToDictionary(c => c.GetProperty("id").GetString()!);

        var adapter = Adapter();
        var mapped = new List<TransactionItem>();
        string? cursor = null;
        do
        {
            var page = await adapter.GetTransactionsAsync(Context(ReadOnlyKey), cursor, CancellationToken.None);
            mapped.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(charges.Count, mapped.Count);
        foreach (var t in mapped)
        {
            var c = charges[t.Id];
            Assert.Equal(c.GetProperty("amount").GetInt64(), t.Amount);
            Assert.True(t.Amount > 0);
            Assert.Equal(c.GetProperty("currency").GetString(), t.Currency);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(c.GetProperty("created").GetInt64()), t.Date);
            Assert.False(string.IsNullOrEmpty(t.Description));

            var expected = (c.GetProperty("status").GetString(), c.GetProperty("captured").GetBoolean(), c.GetProperty("refunded").GetBoolean(), c.GetProperty("amount_refunded").GetInt64()) switch
            {
                ("succeeded", false, true, _) => "canceled",
                ("succeeded", false, false, _) => "pending",
                ("succeeded", true, true, _) => "refunded",
                ("succeeded", true, false, > 0) => "partially_refunded",
                (var s, _, _, _) => s,
            };
            Assert.Equal(expected, t.Status);
        }

        Assert.Contains(mapped, t => t.Status == "refunded");
        Assert.Contains(mapped, t => t.Status == "failed");
        Assert.Contains(mapped, t => t.Status == "pending");
        Assert.Contains(mapped, t => t.Status == "succeeded");
        Assert.Contains(mapped, t => t.Status == "canceled");
        Assert.Contains(mapped, t => t.Status == "pending" && !charges[t.Id].GetProperty("captured").GetBoolean());
        Assert.Contains(mapped, t => t.Id.StartsWith("py_", StringComparison.Ordinal));
        Assert.Contains(mapped, t => t.Currency == "eur");
    }

    [Fact]
    public async Task Payouts_map_and_page()
    {
        using var raw = RawClient(_sandbox.Server.StripeBaseAddress);
        var payouts = await AllRawAsync(raw, "payouts");

        var page = await Adapter().GetPayoutsAsync(Context(ReadOnlyKey), null, CancellationToken.None);

        Assert.Null(page.NextCursor);
        Assert.Equal(payouts.Count, page.Items.Count);
        Assert.InRange(page.Items.Count, 15, 100);
        for (var i = 0; i < payouts.Count; i++)
        {
            var p = payouts[i];
            var item = page.Items[i];
            Assert.Equal(p.GetProperty("id").GetString(), item.Id);
            Assert.StartsWith("po_", item.Id, StringComparison.Ordinal);
            Assert.Equal(p.GetProperty("amount").GetInt64(), item.Amount);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(p.GetProperty("arrival_date").GetInt64()), item.ArrivalDate);
            Assert.Equal(p.GetProperty("currency").GetString(), item.Currency);
            Assert.Equal(p.GetProperty("status").GetString(), item.Status);
        }

        Assert.Contains(page.Items, p => p.Status == "paid");
        Assert.Contains(page.Items, p => p.Status != "paid");
    }

    [Fact]
    public async Task Balance_maps_available_and_pending_per_currency()
    {
        using var raw = RawClient(_sandbox.Server.StripeBaseAddress);
        var (_, body) = await GetJsonAsync(raw, "v1/balance");

        var balance = await Adapter().GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None);

        Assert.Equal(["eur", "usd"], balance.Select(b => b.Currency));
        foreach (var b in balance)
        {
            long Sum(string side) => body.GetProperty(side).EnumerateArray()
                .Where(a => a.GetProperty("currency").GetString() == b.Currency)
                .Sum(a => a.GetProperty("amount").GetInt64());

            Assert.Equal(Sum("available"), b.Available);
            Assert.Equal(Sum("pending"), b.Pending);
        }
    }

    [Fact]
    public async Task Two_keys_see_different_data()
    {
        var adapter = Adapter();
        var a = await adapter.GetTransactionsAsync(Context(ReadOnlyKey), null, CancellationToken.None);
        var b = await adapter.GetTransactionsAsync(Context(OtherReadOnlyKey), null, CancellationToken.None);
        Assert.Empty(a.Items.Select(t => t.Id).Intersect(b.Items.Select(t => t.Id)));
    }

    [Fact]
    public async Task Revoked_key_on_a_data_call_asks_for_login()
    {
        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter().GetBalanceAsync(Context(InvalidKey), CancellationToken.None));
        Assert.Equal(ErrorCodes.LoginRequired, ex.Code);
    }

    [Theory]
    [InlineData("not-a-cursor")]
    [InlineData("ch_")]
    [InlineData("CH_abc")]
    [InlineData("ch_abc&limit=1")]
    public async Task Foreign_cursor_is_an_invalid_request(string cursor)
    {
        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter().GetTransactionsAsync(Context(ReadOnlyKey), cursor, CancellationToken.None));
        Assert.Equal(ErrorCodes.InvalidRequest, ex.Code);
    }

    [Fact]
    public async Task Keep_alive_is_not_needed_for_api_keys()
    {
        Assert.Equal(KeepAliveResult.NotNeeded, await Adapter().KeepAliveAsync(Context(ReadOnlyKey), CancellationToken.None));
    }

    [Fact]
    public void Info_describes_an_api_key_provider()
    {
        var adapter = Adapter();
        Assert.Equal("sandbox-stripe", adapter.Info.Id);
        Assert.Equal("Sandbox Stripe", adapter.Info.Name);
        Assert.Equal("api_key", adapter.Info.Auth);
        Assert.False(adapter.Info.Mfa);
        Assert.Equal(["balance", "transactions", "payouts"], adapter.Info.Capabilities);
        var field = Assert.Single(adapter.Info.Fields);
        Assert.Equal(new ProviderField("api_key", "API key", true), field);
        Assert.Equal(TimeSpan.FromMinutes(15), adapter.CacheTtl);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_an_outage()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Adapter().GetBalanceAsync(Context(ReadOnlyKey), cts.Token));
    }
}
