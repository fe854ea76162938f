using System.Diagnostics;
using System.Text.Json.Nodes;
using PayApi.Contracts;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary>
/// The adapter against a scripted fake on the wire: the requests it builds, how it reads Stripe's published example
/// objects (TestData/stripe-fixtures.json, from Stripe's OpenAPI fixtures), and how it retries.
/// </summary>
public sealed class StripeWireTests
{
    private static readonly JsonObject Fixtures = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "stripe-fixtures.json")))!;

    private static JsonObject Charge(Action<JsonObject>? change = null) => Fixture("charge", change);

    private static JsonObject Payout(Action<JsonObject>? change = null) => Fixture("payout", change);

    private static JsonObject Fixture(string name, Action<JsonObject>? change)
    {
        var copy = (JsonObject)Fixtures[name]!.DeepClone();
        change?.Invoke(copy);
        return copy;
    }

    private static string List(bool hasMore, params JsonNode[] items) =>
        new JsonObject { ["object"] = "list", ["data"] = new JsonArray(items), ["has_more"] = hasMore, ["url"] = "/v1/charges" }.ToJsonString();

    private static Task<FakeHttpServer> Serving(string body) => FakeHttpServer.StartAsync(200, "application/json", body);

    [Fact]
    public async Task List_request_carries_limit_cursor_created_gte_the_pinned_version_and_the_key_as_bearer()
    {
        await using var server = await Serving(List(false));
        var since = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddMilliseconds(700);

        await Adapter(server.BaseAddress).ListTransactionsAsync(Context(ReadOnlyKey), new ProviderListRequest("ch_3Abc", since), CancellationToken.None);
        await Adapter(server.BaseAddress).ListPayoutsAsync(Context(ReadOnlyKey), new ProviderListRequest(CreatedSince: since), CancellationToken.None);

        var charges = server.Requests[0];
        Assert.Equal("GET", charges.Method);
        Assert.Equal("/v1/charges", charges.Path);
        Assert.Equal("100", charges.Query["limit"]);
        Assert.Equal("ch_3Abc", charges.Query["starting_after"]);
        Assert.Equal("1700000000", charges.Query["created[gte]"]);
        Assert.Equal(StripeAdapterOptions.DefaultApiVersion, charges.StripeVersion);
        Assert.Equal("Bearer " + ReadOnlyKey, charges.Authorization);
        Assert.DoesNotContain(ReadOnlyKey, charges.RawQuery, StringComparison.Ordinal);

        var payouts = server.Requests[1];
        Assert.Equal("/v1/payouts", payouts.Path);
        Assert.Equal("1700000000", payouts.Query["created[gte]"]);
        Assert.False(payouts.Query.ContainsKey("starting_after"));
    }

    [Fact]
    public async Task Api_version_comes_from_options()
    {
        await using var server = await Serving("""{"object":"balance","available":[],"pending":[]}""");
        await Adapter(server.BaseAddress, configure: o => o.ApiVersion = "2025-03-31.basil").GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None);
        Assert.Equal("2025-03-31.basil", Assert.Single(server.Requests).StripeVersion);
        Assert.Throws<ArgumentException>(() => Adapter(server.BaseAddress, configure: o => o.ApiVersion = "latest\r\nX: 1"));
    }

    [Fact]
    public async Task Stripes_example_charge_uncaptured_is_pending()
    {
        await using var server = await Serving(List(false, Charge()));

        var page = await Adapter(server.BaseAddress).ListTransactionsAsync(Context(ReadOnlyKey), new ProviderListRequest(), CancellationToken.None);

        var item = Assert.Single(page.Items);
        Assert.Equal("ch_1PgafuB7WZ01zgkWXYmPNZs8", item.Id);
        Assert.Equal(100, item.Amount);
        Assert.Equal("usd", item.Currency);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1234567890), item.Date);
        Assert.Equal("My First Test Charge (created for API docs)", item.Description);
        Assert.Equal("pending", item.Status);
        Assert.Null(page.NextCursor);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1234567890), page.NewestCreatedAt);
    }

    [Theory]
    [InlineData("succeeded", true, false, 0, "succeeded")]
    [InlineData("succeeded", true, true, 100, "refunded")]
    [InlineData("succeeded", true, false, 40, "partially_refunded")]
    [InlineData("succeeded", false, false, 0, "pending")]
    [InlineData("succeeded", false, true, 100, "canceled")]
    [InlineData("pending", true, false, 0, "pending")]
    [InlineData("failed", false, false, 0, "failed")]
    [InlineData("requires_review", true, false, 0, "requires_review")]
    public async Task Charge_status_mapping(string status, bool captured, bool refunded, long amountRefunded, string expected)
    {
        await using var server = await Serving(List(false, Charge(c =>
        {
            c["status"] = status;
            c["captured"] = captured;
            c["refunded"] = refunded;
            c["amount_refunded"] = amountRefunded;
        })));

        var page = await Adapter(server.BaseAddress).GetTransactionsAsync(Context(ReadOnlyKey), null, CancellationToken.None);

        Assert.Equal(expected, Assert.Single(page.Items).Status);
    }

    [Fact]
    public async Task Stripes_example_payout_is_read_and_its_creation_time_is_the_high_water_mark()
    {
        await using var server = await Serving(List(false, Payout(p => p["arrival_date"] = 1234657890)));

        var page = await Adapter(server.BaseAddress).ListPayoutsAsync(Context(ReadOnlyKey), new ProviderListRequest(), CancellationToken.None);

        var item = Assert.Single(page.Items);
        Assert.Equal(new PayoutItem("po_1Pgc79B7WZ01zgkWu1KToYf4", DateTimeOffset.FromUnixTimeSeconds(1234657890), 1100, "usd", "in_transit"), item);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1234567890), page.NewestCreatedAt);
    }

    [Fact]
    public async Task Unexpected_items_are_skipped_and_the_page_still_reads_and_pages_on()
    {
        await using var server = await Serving(List(
            true,
            Charge(c => c["id"] = "py_1PgafuB7WZ01zgkWpayment"),
            Charge(c => c["id"] = "tr_1Transfer"),
            Charge(c => c["object"] = "transfer"),
            Charge(c => c.Remove("amount")),
            Charge(c => c["currency"] = null),
            new JsonArray(),
            Charge(c => c["id"] = "ch_1LastOnThePage")));

        var page = await Adapter(server.BaseAddress).GetTransactionsAsync(Context(ReadOnlyKey), null, CancellationToken.None);

        Assert.Equal(["py_1PgafuB7WZ01zgkWpayment", "ch_1LastOnThePage"], page.Items.Select(t => t.Id));
        Assert.Equal("ch_1LastOnThePage", page.NextCursor);
    }

    [Fact]
    public async Task A_page_whose_last_item_is_skipped_still_pages_on_from_it()
    {
        await using var server = await Serving(List(true, Charge(), Charge(c => { c["id"] = "ch_1Odd"; c.Remove("status"); })));

        var page = await Adapter(server.BaseAddress).GetTransactionsAsync(Context(ReadOnlyKey), null, CancellationToken.None);

        Assert.Single(page.Items);
        Assert.Equal("ch_1Odd", page.NextCursor);
    }

    [Fact]
    public async Task Rate_limit_is_retried_and_then_read()
    {
        await using var server = await FakeHttpServer.StartAsync((n, context) => n == 0
            ? FakeHttpServer.Reply(context, 429, """{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}""")
            : FakeHttpServer.Reply(context, 200, List(false, Charge())));

        var page = await Adapter(server.BaseAddress).GetTransactionsAsync(Context(ReadOnlyKey), null, CancellationToken.None);

        Assert.Single(page.Items);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData(503, "false", 1)]
    [InlineData(429, "false", 1)]
    [InlineData(400, "true", 4)]
    [InlineData(500, null, 4)]
    [InlineData(409, null, 1)]
    public async Task Stripe_should_retry_decides_and_retries_are_bounded(int status, string? shouldRetry, int expectedRequests)
    {
        await using var server = await FakeHttpServer.StartAsync((_, context) => shouldRetry is null
            ? FakeHttpServer.Reply(context, status, """{"error":{"type":"api_error","message":"no"}}""")
            : FakeHttpServer.Reply(context, status, """{"error":{"type":"api_error","message":"no"}}""", "application/json", ("Stripe-Should-Retry", shouldRetry)));

        await Assert.ThrowsAsync<PayApiException>(() => Adapter(server.BaseAddress).GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));

        Assert.Equal(expectedRequests, server.Requests.Count);
    }

    [Fact]
    public async Task Lock_timeout_conflict_is_retried()
    {
        await using var server = await FakeHttpServer.StartAsync((n, context) => n == 0
            ? FakeHttpServer.Reply(context, 409, """{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"locked"}}""")
            : FakeHttpServer.Reply(context, 200, """{"object":"balance","available":[],"pending":[]}"""));

        await Adapter(server.BaseAddress).GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Retry_after_is_honoured_up_to_the_cap()
    {
        await using var server = await FakeHttpServer.StartAsync((n, context) => n == 0
            ? FakeHttpServer.Reply(context, 429, """{"error":{"type":"invalid_request_error","code":"rate_limit","message":"slow down"}}""", "application/json", ("Retry-After", "3600"))
            : FakeHttpServer.Reply(context, 200, """{"object":"balance","available":[],"pending":[]}"""));

        var clock = Stopwatch.StartNew();
        await Adapter(server.BaseAddress).GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "Retry-After was not capped");
    }

    [Fact]
    public async Task Retries_stay_inside_the_per_call_budget()
    {
        await using var server = await FakeHttpServer.StartAsync(503, "application/json", """{"error":{"type":"api_error","message":"down"}}""");
        var adapter = Adapter(server.BaseAddress, TimeSpan.FromMilliseconds(400), o =>
        {
            o.RetryBaseDelay = TimeSpan.FromSeconds(2);
            o.RetryMaxDelay = TimeSpan.FromSeconds(8);
        });

        var ex = await Assert.ThrowsAsync<PayApiException>(() => adapter.GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));

        Assert.Equal(ErrorCodes.ProviderUnavailable, ex.Code);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Network_errors_are_retried_then_reported_unavailable()
    {
        var adapter = Adapter(new Uri($"http://127.0.0.1:{StripeAdapterFaultTests.ClosedPort()}/"));

        var ex = await Assert.ThrowsAsync<PayApiException>(() => adapter.GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));

        Assert.Equal(ErrorCodes.ProviderUnavailable, ex.Code);
    }

    [Theory]
    [InlineData("sk_org_test_51OrganisationKeyA1b2C3")]
    [InlineData("sk_org_live_51OrganisationKeyA1b2C3")]
    [InlineData("rk_org_test_51OrganisationKeyA1b2C3")]
    public async Task Organisation_keys_get_their_own_message_without_a_call(string key)
    {
        await using var server = await Serving("{}");

        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter(server.BaseAddress).VerifyAsync(Context(key), CancellationToken.None));

        Assert.Equal(ErrorCodes.InsufficientKeyScope, ex.Code);
        Assert.Contains("organisation", ex.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("restricted key", ex.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("does not look like", ex.Detail, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Forbidden_on_a_stored_connection_names_the_capability()
    {
        await using var server = await FakeHttpServer.StartAsync(
            403, "application/json", """{"error":{"type":"invalid_request_error","message":"The provided key does not have the required permissions"}}""");

        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter(server.BaseAddress).GetPayoutsAsync(Context(ReadOnlyKey), null, CancellationToken.None));

        Assert.Equal(ErrorCodes.Forbidden, ex.Code);
        Assert.Contains("payouts", ex.Detail, StringComparison.Ordinal);
    }
}
