using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace PayApi.Client.Tests;

/// <summary>
/// The webhook signature verifier against vectors computed here, independently, with <see cref="HMACSHA256"/> as the
/// contract describes: <c>PayApi-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>.
/// </summary>
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_3f9a1c0b7d2e4f68a5b1c3d5e7f90a12";
    private const string OldSecret = "whsec_old_b7d2e4f68a5b1c3d5e7f90a123f9a1c0";
    private const string Body = """{"id":"evt_1a2b3c","type":"connection.connected","created_at":"2026-11-24T17:51:00.000Z","data":{"connection_id":"con_8f3a2b1c9d"}}""";
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1_795_542_660);

    // What a sender computes, written out from the contract rather than through the library.
    private static string Hmac(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    private static string Header(long timestamp, params string[] signatures) =>
        $"t={timestamp}" + string.Concat(signatures.Select(s => ",v1=" + s));

    [Fact]
    public void A_published_style_vector_verifies()
    {
        var header = Header(SignedAt.ToUnixTimeSeconds(), Hmac(Secret, SignedAt.ToUnixTimeSeconds(), Body));

        Assert.True(WebhookSignature.Verify(Body, header, [Secret], WebhookSignature.DefaultTolerance, SignedAt.AddSeconds(30)));
        Assert.Equal(WebhookSignatureResult.Valid, WebhookSignature.Check(Encoding.UTF8.GetBytes(Body), header, [Secret], TimeSpan.FromMinutes(5), SignedAt));
    }

    [Fact]
    public void Sign_produces_the_same_header_as_the_contract()
    {
        var expected = Header(SignedAt.ToUnixTimeSeconds(), Hmac(Secret, SignedAt.ToUnixTimeSeconds(), Body), Hmac(OldSecret, SignedAt.ToUnixTimeSeconds(), Body));

        Assert.Equal(expected, WebhookSignature.Sign(Encoding.UTF8.GetBytes(Body), [Secret, OldSecret], SignedAt));
    }

    [Fact]
    public void During_rotation_either_secret_verifies_a_header_with_two_signatures()
    {
        var t = SignedAt.ToUnixTimeSeconds();
        var header = Header(t, Hmac(Secret, t, Body), Hmac(OldSecret, t, Body));

        Assert.True(WebhookSignature.Verify(Body, header, [Secret], WebhookSignature.DefaultTolerance, SignedAt));
        Assert.True(WebhookSignature.Verify(Body, header, [OldSecret], WebhookSignature.DefaultTolerance, SignedAt));
        Assert.True(WebhookSignature.Verify(Body, header, ["whsec_unrelated", OldSecret], WebhookSignature.DefaultTolerance, SignedAt));
        Assert.Equal(WebhookSignatureResult.NoMatch, WebhookSignature.Check(Encoding.UTF8.GetBytes(Body), header, ["whsec_unrelated"], WebhookSignature.DefaultTolerance, SignedAt));

        // A receiver that already moved to the new secret verifies a header signed only with the old one? No.
        var oldOnly = Header(t, Hmac(OldSecret, t, Body));
        Assert.False(WebhookSignature.Verify(Body, oldOnly, [Secret], WebhookSignature.DefaultTolerance, SignedAt));
    }

    [Theory]
    [InlineData(299, true)]
    [InlineData(300, true)]
    [InlineData(301, false)]
    [InlineData(-301, false)] // signed in the future beyond the tolerance (a skewed clock)
    [InlineData(-60, true)]
    public void The_timestamp_must_be_within_the_tolerance(int secondsLater, bool valid)
    {
        var t = SignedAt.ToUnixTimeSeconds();
        var header = Header(t, Hmac(Secret, t, Body));

        var result = WebhookSignature.Check(Encoding.UTF8.GetBytes(Body), header, [Secret], TimeSpan.FromMinutes(5), SignedAt.AddSeconds(secondsLater));

        Assert.Equal(valid ? WebhookSignatureResult.Valid : WebhookSignatureResult.OutsideTolerance, result);
    }

    [Fact]
    public void A_replayed_timestamp_cannot_be_moved_forward()
    {
        var t = SignedAt.ToUnixTimeSeconds();
        var moved = Header(t + 3600, Hmac(Secret, t, Body)); // the old signature under a fresh timestamp

        Assert.Equal(WebhookSignatureResult.NoMatch, WebhookSignature.Check(Encoding.UTF8.GetBytes(Body), moved, [Secret], TimeSpan.FromMinutes(5), SignedAt.AddSeconds(3600)));
    }

    [Theory]
    [InlineData("""{"id":"evt_1a2b3c","type":"connection.connected","created_at":"2026-11-24T17:51:00.000Z","data":{"connection_id":"con_8f3a2b1c9e"}}""")]
    [InlineData("""{"id":"evt_1a2b3c", "type":"connection.connected","created_at":"2026-11-24T17:51:00.000Z","data":{"connection_id":"con_8f3a2b1c9d"}}""")]
    [InlineData("")]
    public void A_tampered_or_reserialised_body_does_not_verify(string tampered)
    {
        var t = SignedAt.ToUnixTimeSeconds();
        var header = Header(t, Hmac(Secret, t, Body));

        Assert.Equal(WebhookSignatureResult.NoMatch, WebhookSignature.Check(Encoding.UTF8.GetBytes(tampered), header, [Secret], WebhookSignature.DefaultTolerance, SignedAt));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("v1=abc")]                              // no timestamp
    [InlineData("t=1795542660")]                        // no signature
    [InlineData("t=abc,v1={sig}")]                      // timestamp not a number
    [InlineData("t=-5,v1={sig}")]                       // negative timestamp
    [InlineData("t=1795542660,t=1795542660,v1={sig}")]  // two timestamps
    [InlineData("t=1795542660,v1=zz")]                  // signature not 64 hex digits
    [InlineData("t=1795542660,v0={sig}")]               // only an unknown scheme
    [InlineData("t=99999999999999,v1={sig}")]           // beyond year 9999
    public void Malformed_headers_are_refused(string? header)
    {
        var t = SignedAt.ToUnixTimeSeconds();
        header = header?.Replace("{sig}", Hmac(Secret, t, Body), StringComparison.Ordinal);

        Assert.Equal(WebhookSignatureResult.Malformed, WebhookSignature.Check(Encoding.UTF8.GetBytes(Body), header, [Secret], WebhookSignature.DefaultTolerance, SignedAt));
        Assert.False(WebhookSignature.Verify(Body, header, [Secret], WebhookSignature.DefaultTolerance, SignedAt));
    }

    [Fact]
    public void A_header_over_4096_characters_is_refused()
    {
        var t = SignedAt.ToUnixTimeSeconds();
        var header = Header(t, Hmac(Secret, t, Body)) + string.Concat(Enumerable.Repeat(",v0=" + new string('a', 64), 70));

        Assert.Equal(WebhookSignatureResult.Malformed, WebhookSignature.Check(Encoding.UTF8.GetBytes(Body), header, [Secret], WebhookSignature.DefaultTolerance, SignedAt));
    }

    [Fact]
    public void Whitespace_and_unknown_schemes_beside_a_good_signature_are_tolerated()
    {
        var t = SignedAt.ToUnixTimeSeconds();
        var header = $"t={t}, v0=deadbeef, v1={Hmac(Secret, t, Body)}";

        Assert.Equal(WebhookSignatureResult.Valid, WebhookSignature.Check(Encoding.UTF8.GetBytes(Body), header, [Secret], WebhookSignature.DefaultTolerance, SignedAt));
    }

    [Fact]
    public void Upper_case_hex_is_accepted_and_empty_secrets_are_skipped()
    {
        var t = SignedAt.ToUnixTimeSeconds();
        var header = Header(t, Hmac(Secret, t, Body).ToUpperInvariant());

        Assert.True(WebhookSignature.Verify(Body, header, ["", Secret], WebhookSignature.DefaultTolerance, SignedAt));
        Assert.False(WebhookSignature.Verify(Body, Header(t, Hmac("", t, Body)), [""], WebhookSignature.DefaultTolerance, SignedAt));
    }

    [Fact]
    public void A_negative_tolerance_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WebhookSignature.Check(Encoding.UTF8.GetBytes(Body), "t=1,v1=00", [Secret], TimeSpan.FromSeconds(-1), SignedAt));
    }
}
