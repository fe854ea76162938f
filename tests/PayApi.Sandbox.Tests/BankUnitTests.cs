using PayApi.Sandbox.Bank;

namespace PayApi.Sandbox.Tests;

public sealed class BankUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Device_cookie_is_bound_to_its_user_and_expires_after_90_days()
    {
        var cookie = BankDeviceCookie.Issue("user_mfa", Now);

        Assert.True(BankDeviceCookie.IsValidFor(cookie, "user_mfa", Now.AddDays(89)));
        Assert.False(BankDeviceCookie.IsValidFor(cookie, "user_good", Now));
        Assert.False(BankDeviceCookie.IsValidFor(cookie, "user_mfa", Now.AddDays(90).AddSeconds(1)));
        Assert.False(BankDeviceCookie.IsValidFor(cookie + "A", "user_mfa", Now));
        Assert.False(BankDeviceCookie.IsValidFor("not.base64!", "user_mfa", Now));
        Assert.False(BankDeviceCookie.IsValidFor(null, "user_mfa", Now));
    }

    [Theory]
    [InlineData("1.1 proxy-a (tinyproxy/1.11.1)", "proxy-a")]
    [InlineData("1.1 proxy-b", "proxy-b")]
    [InlineData("HTTP/1.1 edge-1 (comment, with comma), 1.1 proxy-c (tinyproxy/1.11.1)", "proxy-c")]
    [InlineData("1.0 fred, 1.1 p.example.net", "p.example.net")]
    [InlineData("garbage", null)]
    [InlineData("", null)]
    public void Via_names_the_last_hop(string via, string? expected)
    {
        Assert.Equal(expected, BankClientAddress.FromVia([via]));
    }

    [Fact]
    public void Repeated_via_headers_use_the_last_entry()
    {
        Assert.Equal("proxy-z", BankClientAddress.FromVia(["1.1 proxy-y", "1.1 proxy-z (tinyproxy/1.11.1)"]));
    }

    [Fact]
    public void Money_is_formatted_like_online_banking()
    {
        Assert.Equal("$1,234.56", BankPages.Money(123_456, "usd"));
        Assert.Equal("-$12.34", BankPages.Money(-1_234, "usd"));
        Assert.Equal("\u20AC0.07", BankPages.Money(7, "eur"));
    }
}
