using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PayApi.Sandbox;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary>The sandbox's Stripe-shaped API over raw HTTP: shapes, paging, auth and error bodies.</summary>
public sealed class SandboxStripeApiTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxServer _server;

    public SandboxStripeApiTests(SandboxFixture sandbox) => _server = sandbox.Server;

    [Fact]
    public void Addresses_are_loopback_with_the_stripe_prefix()
    {
        Assert.Equal("127.0.0.1", _server.BaseAddress.Host);
        Assert.NotEqual(0, _server.BaseAddress.Port);
        Assert.Equal(new Uri(_server.BaseAddress, "stripe/"), _server.StripeBaseAddress);
    }

    [Fact]
    public async Task Custom_prefix_moves_the_api()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { StripePathPrefix = "/fake-stripe/" }, CancellationToken.None);
        Assert.EndsWith("/fake-stripe/", server.StripeBaseAddress.AbsolutePath, StringComparison.Ordinal);
        using var client = RawClient(server.StripeBaseAddress);
        var (status, _) = await GetJsonAsync(client, "v1/balance");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Balance_has_stripe_shape_with_two_currencies()
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var (status, body) = await GetJsonAsync(client, "v1/balance");

        Assert.Equal(200, status);
        Assert.Equal("balance", body.GetProperty("object").GetString());
        foreach (var side in new[] { "available", "pending" })
        {
            var amounts = body.GetProperty(side).EnumerateArray().ToList();
            Assert.True(amounts.Select(a => a.GetProperty("currency").GetString()).Distinct().Count() >= 2);
            Assert.All(amounts, a =>
            {
                Assert.Equal(JsonValueKind.Number, a.GetProperty("amount").ValueKind);
                Assert.Equal(JsonValueKind.Object, a.GetProperty("source_types").ValueKind);
            });
        }
    }

    [Fact]
    public async Task Basic_auth_with_the_key_as_user_name_is_accepted()
    {
        using var client = RawClient(_server.StripeBaseAddress, bearer: null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(ReadOnlyKey + ":")));
        var (status, body) = await GetJsonAsync(client, "v1/balance");
        Assert.Equal(200, status);
        Assert.Equal("balance", body.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Charges_list_has_stripe_shape_and_default_limit()
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var (status, body) = await GetJsonAsync(client, "v1/charges");

        Assert.Equal(200, status);
        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.Equal("/v1/charges", body.GetProperty("url").GetString());
        Assert.True(body.GetProperty("has_more").GetBoolean());
        var data = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(10, data.Count);
        var charge = data[0];
        Assert.StartsWith("ch_", charge.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("charge", charge.GetProperty("object").GetString());
        foreach (var field in new[] { "amount", "amount_refunded", "created" })
        {
            Assert.Equal(JsonValueKind.Number, charge.GetProperty(field).ValueKind);
        }

        Assert.Contains(charge.GetProperty("status").GetString(), new[] { "succeeded", "pending", "failed" });
        Assert.True(charge.TryGetProperty("description", out _));
        Assert.True(charge.TryGetProperty("paid", out _));
        Assert.True(charge.TryGetProperty("refunded", out _));
        Assert.Matches("^[a-z]{3}$", charge.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Charges_cover_every_status_and_are_newest_first()
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var all = await AllRawAsync(client, "charges");

        Assert.True(all.Count >= 120);
        var created = all.Select(c => c.GetProperty("created").GetInt64()).ToList();
        Assert.Equal(created.OrderByDescending(c => c), created);
        Assert.True(all.Count(c => c.GetProperty("refunded").GetBoolean()) >= 3);
        Assert.True(all.Count(c => c.GetProperty("status").GetString() == "failed") >= 3);
        Assert.All(all.Where(c => c.GetProperty("status").GetString() == "failed"), c => Assert.False(c.GetProperty("paid").GetBoolean()));
        Assert.Contains(all, c => c.GetProperty("status").GetString() == "pending");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-5")]
    [InlineData("ten")]
    public async Task Limit_outside_1_to_100_is_a_400(string limit)
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var (status, body) = await GetJsonAsync(client, "v1/charges?limit=" + limit);

        Assert.Equal(400, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("limit", error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public async Task Limit_bounds_are_inclusive(int limit)
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var (status, body) = await GetJsonAsync(client, $"v1/charges?limit={limit}");
        Assert.Equal(200, status);
        Assert.Equal(limit, body.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Starting_after_and_ending_before_walk_the_list()
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var (_, first) = await GetJsonAsync(client, "v1/charges?limit=20");
        var ids = first.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();

        var (_, next) = await GetJsonAsync(client, $"v1/charges?limit=5&starting_after={ids[9]}");
        Assert.Equal(ids.Skip(10).Take(5), next.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
        Assert.True(next.GetProperty("has_more").GetBoolean());

        var (_, previous) = await GetJsonAsync(client, $"v1/charges?limit=5&ending_before={ids[9]}");
        Assert.Equal(ids.Skip(4).Take(5), previous.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
        Assert.True(previous.GetProperty("has_more").GetBoolean());

        var (_, top) = await GetJsonAsync(client, $"v1/charges?limit=5&ending_before={ids[3]}");
        Assert.Equal(ids.Take(3), top.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()!));
        Assert.False(top.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task Unknown_cursor_is_resource_missing()
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var (status, body) = await GetJsonAsync(client, "v1/charges?starting_after=ch_doesnotexist");
        Assert.Equal(400, status);
        Assert.Equal("resource_missing", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("starting_after", body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Payouts_list_has_stripe_shape()
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var all = await AllRawAsync(client, "payouts");

        Assert.InRange(all.Count, 15, 30);
        Assert.All(all, p =>
        {
            Assert.StartsWith("po_", p.GetProperty("id").GetString(), StringComparison.Ordinal);
            Assert.Equal("payout", p.GetProperty("object").GetString());
            Assert.True(p.GetProperty("arrival_date").GetInt64() > p.GetProperty("created").GetInt64());
            Assert.True(p.GetProperty("amount").GetInt64() > 0);
            Assert.False(string.IsNullOrEmpty(p.GetProperty("status").GetString()));
        });
        var (_, page) = await GetJsonAsync(client, "v1/payouts");
        Assert.Equal("/v1/payouts", page.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("rk_test_51invalidKeyA1b2C3")]
    [InlineData("rk_test_short")]
    [InlineData("pk_test_51PublishableA1b2C3")]
    public async Task Missing_or_unknown_key_is_a_401_with_stripe_error(string? key)
    {
        using var client = RawClient(_server.StripeBaseAddress, key);
        var (status, body) = await GetJsonAsync(client, "v1/charges");

        Assert.Equal(401, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        if (key is not null)
        {
            // Stripe masks the key it echoes; the sandbox must not do worse.
            Assert.DoesNotContain(key, error.GetProperty("message").GetString()!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Restricted_key_post_is_a_403_permission_error()
    {
        using var client = RawClient(_server.StripeBaseAddress, ReadOnlyKey);
        using var response = await client.PostAsync("v1/payment_intents", new FormUrlEncodedContent([]));
        var body = await ReadJsonAsync(response);

        Assert.Equal(403, (int)response.StatusCode);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("does not have the required permissions", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("rak_payment_intent_write", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_key_post_without_parameters_is_parameter_missing()
    {
        using var client = RawClient(_server.StripeBaseAddress, SecretKey);
        using var response = await client.PostAsync("v1/payment_intents", new FormUrlEncodedContent([]));
        var body = await ReadJsonAsync(response);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("parameter_missing", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("amount", body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Unknown_path_is_a_stripe_404()
    {
        using var client = RawClient(_server.StripeBaseAddress);
        var (status, body) = await GetJsonAsync(client, "v1/customers");
        Assert.Equal(404, status);
        Assert.Contains("Unrecognized request URL (GET: /v1/customers)", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_is_stable_across_restarts_and_differs_between_keys()
    {
        await using var other = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);
        using var here = RawClient(_server.StripeBaseAddress);
        using var there = RawClient(other.StripeBaseAddress);
        using var otherKey = RawClient(_server.StripeBaseAddress, OtherReadOnlyKey);

        var (_, a) = await GetJsonAsync(here, "v1/charges?limit=100");
        var (_, b) = await GetJsonAsync(there, "v1/charges?limit=100");
        var (_, c) = await GetJsonAsync(otherKey, "v1/charges?limit=100");

        Assert.Equal(a.GetRawText(), b.GetRawText());
        Assert.NotEqual(a.GetRawText(), c.GetRawText());
    }

    [Fact]
    public async Task Outage_switch_answers_503_with_a_stripe_api_error()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);
        server.StripeOutage = true;
        using var client = RawClient(server.StripeBaseAddress);

        var (status, body) = await GetJsonAsync(client, "v1/balance");

        Assert.Equal(503, status);
        Assert.Equal("api_error", body.GetProperty("error").GetProperty("type").GetString());
    }
}
