using System.Diagnostics;
using PayApi.Testing;

namespace PayApi.Vault.Kms.Tests;

/// <summary>KMS outages: retried inside the SDK, then <see cref="KmsUnavailableException"/> (503) within bounded time.</summary>
public sealed class KmsFaultTests : IAsyncLifetime
{
    private const int MaxErrorRetry = 2;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMilliseconds(700);
    private static readonly EncryptionContext Ctx = new("client_1", "conn_1");

    private KmsServer _server = null!;
    private KmsKeyring _keyring = null!;
    private GeneratedDataKey _generated = null!;

    public async Task InitializeAsync()
    {
        _server = await KmsServer.StartAsync();
        var options = Kms.Options(_server, maxErrorRetry: MaxErrorRetry, requestTimeout: RequestTimeout);
        _keyring = Kms.Keyring(Kms.Client(options), options);
        _generated = await _keyring.GenerateDataKeyAsync(Ctx, default);
        _server.ResetCounts();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Two_throttled_answers_are_retried_inside_the_sdk()
    {
        _server.SetFault("throttle", 2, "Decrypt");
        Assert.Equal(_generated.Plaintext, await _keyring.UnwrapAsync(_generated.Wrapped, Ctx, default));
        Assert.Equal(3, _server.Calls("Decrypt"));
    }

    [Theory]
    [InlineData("throttle", "ThrottlingException")]
    [InlineData("server_error", "KMSInternalException")]
    public async Task Persistent_failure_becomes_unavailable_after_the_retries(string mode, string errorCode)
    {
        _server.SetFault(mode, -1);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<KmsUnavailableException>(() => _keyring.UnwrapAsync(_generated.Wrapped, Ctx, default));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Contains(errorCode, e.Message, StringComparison.Ordinal);
        Assert.Contains("Decrypt", e.Message, StringComparison.Ordinal);
        Assert.Equal(1 + MaxErrorRetry, _server.Calls("Decrypt"));
        Assert.IsAssignableFrom<Orleans.Runtime.OrleansException>(e);

        _server.ClearFaults();
        Assert.Equal(_generated.Plaintext, await _keyring.UnwrapAsync(_generated.Wrapped, Ctx, default));
    }

    [Fact]
    public async Task Hung_kms_becomes_unavailable_within_the_attempt_timeouts()
    {
        _server.SetFault("hang", -1);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<KmsUnavailableException>(() => _keyring.UnwrapAsync(_generated.Wrapped, Ctx, default));
        // (1 + retries) attempts of RequestTimeout each, plus backoff: far below a grain call's 30 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        Assert.True(clock.Elapsed >= RequestTimeout, $"took {clock.Elapsed}");
        // Every attempt timed out and was retried. Not an exact count: the HTTP handler may itself resend a request
        // whose pooled connection the abandoned attempt left behind, which the time bound above already covers.
        Assert.True(_server.Calls("Decrypt") >= 1 + MaxErrorRetry, $"{_server.Calls("Decrypt")} Decrypt requests");
    }

    [Fact]
    public async Task Disabled_key_is_unavailable_without_retries()
    {
        _server.SetFault("disabled", -1, "Decrypt");
        var e = await Assert.ThrowsAsync<KmsUnavailableException>(() => _keyring.UnwrapAsync(_generated.Wrapped, Ctx, default));
        Assert.Contains("KMSInvalidStateException", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Calls("Decrypt"));
    }

    [Fact]
    public async Task Outage_during_rewrap_is_unavailable_not_a_rejected_key()
    {
        var newKey = _server.AddKey();
        var options = Kms.Options(_server, newKey, MaxErrorRetry, RequestTimeout);
        var keyring = Kms.Keyring(Kms.Client(options), options);
        await keyring.ListVersionsAsync(default);
        _server.SetFault("server_error", -1, "ReEncrypt");
        await Assert.ThrowsAsync<KmsUnavailableException>(() => keyring.RewrapAsync(_generated.Wrapped, Ctx, default));
    }

    [Fact]
    public async Task Unreachable_endpoint_is_unavailable()
    {
        var url = _server.ServiceUrl;
        await _server.DisposeAsync();
        var options = new KmsOptions { KeyId = KmsServer.TestAlias, ServiceUrl = url, MaxErrorRetry = 1, RequestTimeout = RequestTimeout };
        var keyring = Kms.Keyring(Kms.Client(options), options);
        await Assert.ThrowsAsync<KmsUnavailableException>(() => keyring.UnwrapAsync(_generated.Wrapped, Ctx, default));
        _server = await KmsServer.StartAsync();
    }

    [Fact]
    public async Task Callers_cancellation_is_not_an_outage()
    {
        _server.SetFault("hang", -1);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _keyring.UnwrapAsync(_generated.Wrapped, Ctx, cts.Token));
        Assert.IsNotType<KmsUnavailableException>(e);
    }
}
