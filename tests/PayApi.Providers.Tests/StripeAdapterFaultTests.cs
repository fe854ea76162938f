using System.Net;
using System.Net.Sockets;
using PayApi.Contracts;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary>Provider failures: each test owns its sandbox because it flips the fault switches.</summary>
public sealed class StripeAdapterFaultTests
{
    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("garbage key with spaces")]
    [InlineData("rk_test_short")]
    [InlineData("rk_test_abcdefgh\r\nX-Injected: 1")]
    [InlineData("pk_test_51PublishableA1b2C3")]
    [InlineData("whsec_51SomethingElseA1b2C3")]
    public async Task Malformed_key_is_invalid_credentials_without_a_call(string key)
    {
        await using var sandbox = await StartSandboxAsync();

        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter(sandbox.StripeBaseAddress).VerifyAsync(Context(key), CancellationToken.None));

        Assert.Equal(ErrorCodes.InvalidCredentials, ex.Code);
        Assert.Equal(0, sandbox.StripeRequestCount);
    }

    [Fact]
    public async Task Outage_is_provider_unavailable_and_retryable()
    {
        await using var sandbox = await StartSandboxAsync();
        var adapter = Adapter(sandbox.StripeBaseAddress);
        sandbox.StripeOutage = true;

        var verify = await Assert.ThrowsAsync<PayApiException>(() => adapter.VerifyAsync(Context(ReadOnlyKey), CancellationToken.None));
        var balance = await Assert.ThrowsAsync<PayApiException>(() => adapter.GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));
        var charges = await Assert.ThrowsAsync<PayApiException>(() => adapter.GetTransactionsAsync(Context(ReadOnlyKey), null, CancellationToken.None));

        Assert.All([verify, balance, charges], ex => Assert.Equal(ErrorCodes.ProviderUnavailable, ex.Code));
        Assert.True(ErrorCodes.Describe(verify.Code).Retryable);

        // Recovery needs no restart: the same adapter works once the provider is back.
        sandbox.StripeOutage = false;
        await adapter.VerifyAsync(Context(ReadOnlyKey), CancellationToken.None);
    }

    [Fact]
    public async Task Slow_provider_times_out_as_provider_unavailable()
    {
        await using var sandbox = await StartSandboxAsync();
        sandbox.StripeResponseDelay = TimeSpan.FromSeconds(5);

        var ex = await Assert.ThrowsAsync<PayApiException>(() =>
            Adapter(sandbox.StripeBaseAddress, TimeSpan.FromMilliseconds(300)).GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));

        Assert.Equal(ErrorCodes.ProviderUnavailable, ex.Code);
    }

    [Fact]
    public async Task Connection_refused_is_provider_unavailable()
    {
        var ex = await Assert.ThrowsAsync<PayApiException>(() =>
            Adapter(new Uri($"http://127.0.0.1:{ClosedPort()}/stripe/")).VerifyAsync(Context(ReadOnlyKey), CancellationToken.None));

        Assert.Equal(ErrorCodes.ProviderUnavailable, ex.Code);
    }

    [Fact]
    public async Task Html_instead_of_json_is_unexpected_provider_response()
    {
        await using var sandbox = await StartSandboxAsync();
        sandbox.StripeMalformedResponses = true;
        var adapter = Adapter(sandbox.StripeBaseAddress);

        var verify = await Assert.ThrowsAsync<PayApiException>(() => adapter.VerifyAsync(Context(ReadOnlyKey), CancellationToken.None));
        var payouts = await Assert.ThrowsAsync<PayApiException>(() => adapter.GetPayoutsAsync(Context(ReadOnlyKey), null, CancellationToken.None));

        Assert.Equal(ErrorCodes.UnexpectedProviderResponse, verify.Code);
        Assert.Equal(ErrorCodes.UnexpectedProviderResponse, payouts.Code);
    }

    [Theory]
    [InlineData(200, """{"object":"balance","available":"lots","pending":[]}""")]
    [InlineData(200, """{"object":"charge","data":[],"has_more":false}""")]
    [InlineData(200, """{"object":"list","data":"none","has_more":false}""")]
    [InlineData(200, """{"object":"list","data":[{"object":"charge"}],"has_more":true}""")]
    [InlineData(200, """{"object":"list","data":[],"has_more":true}""")]
    [InlineData(200, "null")]
    [InlineData(200, "")]
    [InlineData(404, """{"error":{"type":"invalid_request_error","message":"Unrecognized request URL"}}""")]
    [InlineData(302, "")]
    public async Task Json_the_adapter_does_not_understand_is_unexpected_provider_response(int status, string body)
    {
        await using var server = await FakeHttpServer.StartAsync(status, "application/json", body);
        var adapter = Adapter(server.BaseAddress);

        var balance = await Assert.ThrowsAsync<PayApiException>(() => adapter.GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));
        var charges = await Assert.ThrowsAsync<PayApiException>(() => adapter.GetTransactionsAsync(Context(ReadOnlyKey), null, CancellationToken.None));

        Assert.Equal(ErrorCodes.UnexpectedProviderResponse, balance.Code);
        Assert.Equal(ErrorCodes.UnexpectedProviderResponse, charges.Code);
    }

    [Fact]
    public async Task Restricted_key_without_read_permission_is_insufficient_key_scope()
    {
        await using var server = await FakeHttpServer.StartAsync(
            403, "application/json", """{"error":{"type":"invalid_request_error","message":"The provided key does not have the required permissions"}}""");

        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter(server.BaseAddress).VerifyAsync(Context(ReadOnlyKey), CancellationToken.None));

        Assert.Equal(ErrorCodes.InsufficientKeyScope, ex.Code);
    }

    [Fact]
    public async Task Provider_rate_limit_is_provider_unavailable()
    {
        await using var server = await FakeHttpServer.StartAsync(
            429, "application/json", """{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests"}}""");

        var ex = await Assert.ThrowsAsync<PayApiException>(() => Adapter(server.BaseAddress).GetBalanceAsync(Context(ReadOnlyKey), CancellationToken.None));

        Assert.Equal(ErrorCodes.ProviderUnavailable, ex.Code);
    }

    /// <summary>A port nobody listens on: bound and released, so connecting is refused.</summary>
    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
