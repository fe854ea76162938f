using PayApi.Contracts;
using PayApi.Sandbox;
using static PayApi.Providers.Tests.TestSupport;

namespace PayApi.Providers.Tests;

/// <summary>A recognisable canary key is driven through every failure path; it must never surface in an exception.</summary>
public sealed class SecretLeakTests
{
    private const string CanarySuffix = "CanaryK3yZebraQuartz77";

    [Theory]
    [InlineData("rk_test_" + CanarySuffix, "outage")]
    [InlineData("rk_test_" + CanarySuffix, "malformed")]
    [InlineData("rk_test_" + CanarySuffix, "timeout")]
    [InlineData("rk_test_" + CanarySuffix, "refused")]
    [InlineData("sk_test_" + CanarySuffix, "none")]
    [InlineData("rk_test_invalid" + CanarySuffix, "none")]
    [InlineData("rk_test_" + CanarySuffix + " with junk", "none")]
    public async Task Canary_key_never_appears_in_exceptions(string key, string fault)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions(), CancellationToken.None);
        sandbox.StripeOutage = fault == "outage";
        sandbox.StripeMalformedResponses = fault == "malformed";
        if (fault == "timeout")
        {
            sandbox.StripeResponseDelay = TimeSpan.FromSeconds(5);
        }

        var baseUrl = fault == "refused" ? new Uri($"http://127.0.0.1:{StripeAdapterFaultTests.ClosedPort()}/") : sandbox.StripeBaseAddress;
        var adapter = Adapter(baseUrl, TimeSpan.FromMilliseconds(fault == "timeout" ? 300 : 5_000));
        var context = Context(key);

        var failures = new List<Exception>
        {
            await Assert.ThrowsAsync<PayApiException>(() => adapter.VerifyAsync(context, CancellationToken.None)),
        };
        if (!key.StartsWith("sk_", StringComparison.Ordinal))
        {
            failures.Add(await Assert.ThrowsAsync<PayApiException>(() => adapter.GetBalanceAsync(context, CancellationToken.None)));
            failures.Add(await Assert.ThrowsAsync<PayApiException>(() => adapter.GetTransactionsAsync(context, null, CancellationToken.None)));
        }

        foreach (var ex in failures)
        {
            var everything = ex.ToString() + ((PayApiException)ex).Detail;
            Assert.DoesNotContain(CanarySuffix, everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(CanarySuffix[..8], everything, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(CanarySuffix, context.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(CanarySuffix, context.Credentials.ToString(), StringComparison.Ordinal);
    }
}
