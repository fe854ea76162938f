using System.Diagnostics;
using System.Text.Json;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary>
/// The sandbox's Stripe API held to Stripe's reference: the fields its OpenAPI description requires, the created filter,
/// the write endpoints' required parameters, permissions, rate limits and growing accounts. Each test owns its sandbox.
/// </summary>
public sealed class SandboxStripeReferenceTests
{
    // The "required" lists of the charge and payout schemas in Stripe's OpenAPI description.
    private static readonly string[] ChargeRequired =
        ["amount", "amount_captured", "amount_refunded", "billing_details", "captured", "created", "currency", "disputed", "id", "livemode", "metadata", "object", "paid", "refunded", "status"];

    private static readonly string[] PayoutRequired =
        ["amount", "arrival_date", "automatic", "created", "currency", "id", "livemode", "method", "object", "reconciliation_status", "source_type", "status", "type"];

    [Theory]
    [InlineData(ReadOnlyKey, false)]
    [InlineData(LiveReadOnlyKey, true)]
    public async Task Charges_and_payouts_carry_every_required_field_and_livemode_of_the_key(string key, bool live)
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress, key);

        var charges = await AllRawAsync(client, "charges");
        var payouts = await AllRawAsync(client, "payouts");

        Assert.All(charges, c =>
        {
            Assert.All(ChargeRequired, f => Assert.True(c.TryGetProperty(f, out _), "charge lacks " + f));
            Assert.Equal(live, c.GetProperty("livemode").GetBoolean());
            Assert.Equal(JsonValueKind.Object, c.GetProperty("billing_details").GetProperty("address").ValueKind);
            Assert.Equal(JsonValueKind.Object, c.GetProperty("metadata").ValueKind);
            Assert.Equal(c.GetProperty("captured").GetBoolean() ? c.GetProperty("amount").GetInt64() : 0, c.GetProperty("amount_captured").GetInt64());
        });
        Assert.All(payouts, p =>
        {
            Assert.All(PayoutRequired, f => Assert.True(p.TryGetProperty(f, out _), "payout lacks " + f));
            Assert.Equal(live, p.GetProperty("livemode").GetBoolean());
        });

        Assert.Contains(charges, c => c.GetProperty("id").GetString()!.StartsWith("py_", StringComparison.Ordinal));
        Assert.Contains(charges, c => !c.GetProperty("captured").GetBoolean() && c.GetProperty("status").GetString() == "succeeded" && !c.GetProperty("refunded").GetBoolean());
        Assert.Single(charges, c => !c.GetProperty("captured").GetBoolean() && c.GetProperty("refunded").GetBoolean());
    }

    [Fact]
    public async Task Created_filters_combine_with_cursors()
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress);
        var all = await AllRawAsync(client, "charges");
        long Created(int i) => all[i].GetProperty("created").GetInt64();
        string Id(int i) => all[i].GetProperty("id").GetString()!;

        async Task<List<string>> Ids(string query)
        {
            var (status, body) = await GetJsonAsync(client, "v1/charges?limit=100&" + query);
            Assert.Equal(200, status);
            return body.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        }

        Assert.Equal(Enumerable.Range(0, 21).Select(Id), await Ids($"created[gte]={Created(20)}"));
        Assert.Equal(Enumerable.Range(0, 20).Select(Id), await Ids($"created[gt]={Created(20)}"));
        Assert.Equal(Enumerable.Range(100, all.Count - 100).Select(Id), await Ids($"created[lte]={Created(100)}"));
        Assert.Equal(Enumerable.Range(101, all.Count - 101).Select(Id), await Ids($"created[lt]={Created(100)}"));
        Assert.Equal([Id(42)], await Ids($"created={Created(42)}"));
        Assert.Equal(Enumerable.Range(11, 10).Select(Id), await Ids($"created[gte]={Created(20)}&created[lte]={Created(11)}"));
        Assert.Equal(Enumerable.Range(6, 15).Select(Id), await Ids($"created[gte]={Created(20)}&starting_after={Id(5)}"));
        Assert.Equal(Enumerable.Range(0, 5).Select(Id), await Ids($"created[gte]={Created(20)}&ending_before={Id(5)}"));

        var (limited, page) = await GetJsonAsync(client, $"v1/payouts?limit=2&created[lte]={long.MaxValue}");
        Assert.Equal(200, limited);
        Assert.True(page.GetProperty("has_more").GetBoolean());

        var (bad, error) = await GetJsonAsync(client, "v1/charges?created[gte]=yesterday");
        Assert.Equal(400, bad);
        Assert.Equal("created[gte]", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("v1/payment_intents", 400, "parameter_missing", "amount")]
    [InlineData("v1/payouts", 400, "parameter_missing", "amount")]
    [InlineData("v1/transfers", 400, "parameter_missing", "currency")]
    [InlineData("v1/topups", 400, "parameter_missing", "amount")]
    [InlineData("v1/charges", 400, "parameter_missing", "amount")]
    [InlineData("v1/refunds", 400, "parameter_missing", null)]
    [InlineData("v1/charges/ch_NoSuchCharge", 404, "resource_missing", "id")]
    [InlineData("v1/refunds/re_NoSuchRefund", 404, "resource_missing", "id")]
    public async Task Secret_key_writes_without_parameters_create_nothing(string path, int status, string code, string? param)
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress, SecretKey);

        using var response = await client.PostAsync(path, new FormUrlEncodedContent([]));
        var error = (await ReadJsonAsync(response)).GetProperty("error");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, error.GetProperty("code").GetString());
        if (param is not null)
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }
    }

    [Theory]
    [InlineData("v1/payouts", 400)]
    [InlineData("v1/payment_intents", 403)]
    [InlineData("v1/transfers", 403)]
    [InlineData("v1/charges/ch_NoSuchCharge", 403)]
    public async Task Key_that_writes_payouts_may_post_payouts_only(string path, int expected)
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress, WritePayoutsKey);

        using var response = await client.PostAsync(path, new FormUrlEncodedContent([]));

        Assert.Equal(expected, (int)response.StatusCode);
    }

    [Theory]
    [InlineData(NoPayoutsKey, "v1/payouts", "rak_payout_read")]
    [InlineData(NoChargesKey, "v1/charges", "rak_charge_read")]
    public async Task Keys_without_a_read_permission_get_stripes_permission_error(string key, string path, string permission)
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress, key);

        var (status, body) = await GetJsonAsync(client, path);
        var (balanceStatus, _) = await GetJsonAsync(client, "v1/balance");

        Assert.Equal(403, status);
        var message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("does not have the required permissions", message, StringComparison.Ordinal);
        Assert.Contains(permission, message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, message, StringComparison.Ordinal);
        Assert.Equal(200, balanceStatus);
    }

    [Fact]
    public async Task Rate_limit_on_demand_answers_429_with_should_retry_then_recovers()
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress);
        sandbox.StripeRateLimitNext(1);

        using var limited = await client.GetAsync("v1/balance");
        var error = (await ReadJsonAsync(limited)).GetProperty("error");
        var (after, _) = await GetJsonAsync(client, "v1/balance");

        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal("rate_limit", error.GetProperty("code").GetString());
        Assert.Equal("true", Assert.Single(limited.Headers.GetValues("Stripe-Should-Retry")));
        Assert.Equal(200, after);
    }

    [Fact]
    public async Task Server_errors_carry_the_configured_retry_advice()
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress);
        sandbox.StripeOutage = true;

        using (var none = await client.GetAsync("v1/balance"))
        {
            Assert.False(none.Headers.Contains("Stripe-Should-Retry"));
        }

        sandbox.StripeServerErrorsShouldRetry = false;
        using var advised = await client.GetAsync("v1/balance");
        Assert.Equal(503, (int)advised.StatusCode);
        Assert.Equal("false", Assert.Single(advised.Headers.GetValues("Stripe-Should-Retry")));
    }

    [Fact]
    public async Task Malformed_api_version_is_refused_like_stripe()
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress);
        client.DefaultRequestHeaders.Add("Stripe-Version", "yesterday");

        var (status, body) = await GetJsonAsync(client, "v1/balance");

        Assert.Equal(400, status);
        Assert.Contains("API version", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("yesterday", sandbox.StripeLastApiVersion);
    }

    [Fact]
    public async Task Added_charges_are_newer_than_any_and_visible_to_later_lists_of_that_account_only()
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress);
        using var other = RawClient(sandbox.StripeBaseAddress, OtherReadOnlyKey);
        var before = await AllRawAsync(client, "charges");
        var otherBefore = await AllRawAsync(other, "charges");

        sandbox.AddStripeCharges(ReadOnlyKey, 5);
        var after = await AllRawAsync(client, "charges");

        Assert.Equal(before.Count + 5, after.Count);
        var created = after.Take(6).Select(c => c.GetProperty("created").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => before[0].GetProperty("created").GetInt64() + (5 - i) * 60), created);
        Assert.Equal(before.Select(c => c.GetProperty("id").GetString()), after.Skip(5).Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(otherBefore.Count, (await AllRawAsync(other, "charges")).Count);
    }

    [Fact]
    public async Task Fifty_thousand_charges_page_through_quickly()
    {
        await using var sandbox = await StartSandboxAsync();
        using var client = RawClient(sandbox.StripeBaseAddress, "rk_test_history50000xLongOne");
        var clock = Stopwatch.StartNew();

        var all = await AllRawAsync(client, "charges");

        Assert.Equal(50_000, all.Count);
        Assert.Equal(50_000, all.Select(c => c.GetProperty("id").GetString()).Distinct().Count());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"paging took {clock.Elapsed}");
    }
}
