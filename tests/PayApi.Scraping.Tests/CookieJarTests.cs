using System.Text;

namespace PayApi.Scraping.Tests;

public sealed class CookieJarTests
{
    private static readonly StoredCookie[] Jar =
    [
        new("sid", "secret-session-value", "127.0.0.1", "/", StoredCookie.SessionExpiry, true, false, CookieSameSite.Lax),
        new("remember_device", "device-token-value", ".bank.example", "/auth", 1_900_000_000, true, true, CookieSameSite.None),
    ];

    [Fact]
    public void A_jar_survives_serialization()
    {
        var bytes = CookieJarSerializer.Serialize(Jar);

        Assert.Equal(Jar, CookieJarSerializer.Deserialize(bytes));
        Assert.Empty(CookieJarSerializer.Deserialize([]));
    }

    [Fact]
    public void A_malformed_jar_is_refused_without_quoting_it()
    {
        var error = Assert.Throws<FormatException>(() => CookieJarSerializer.Deserialize(Encoding.UTF8.GetBytes("{\"v\":1,\"cookies\":[secret-xyz")));

        Assert.DoesNotContain("secret-xyz", error.ToString(), StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => CookieJarSerializer.Deserialize(Encoding.UTF8.GetBytes("{\"v\":9,\"cookies\":[]}")));
    }

    [Fact]
    public void ToString_hides_the_value()
    {
        var text = Jar[0].ToString();

        Assert.DoesNotContain("secret-session-value", text, StringComparison.Ordinal);
        Assert.Contains("sid", text, StringComparison.Ordinal);
        Assert.DoesNotContain("device-token-value", new BrowserJob(null, Jar).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Cookies_round_trip_through_a_CookieContainer()
    {
        var container = CookieContainerBridge.ToContainer(Jar);

        var back = CookieContainerBridge.FromContainer(container, Jar);

        Assert.Equal(2, back.Count);
        var session = Assert.Single(back, c => c.Name == "sid");
        Assert.True(session.IsSession);
        Assert.Equal("secret-session-value", session.Value);
        var remembered = Assert.Single(back, c => c.Name == "remember_device");
        Assert.Equal(1_900_000_000, remembered.Expires);
        Assert.True(remembered.Secure);
        Assert.Equal("/auth", remembered.Path);
        Assert.Equal(CookieSameSite.None, remembered.SameSite);
    }
}
