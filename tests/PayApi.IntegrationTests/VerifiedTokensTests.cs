using PayApi.Gateway.Auth;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>The gateway's memory of verified token signatures: exact tokens only, and bounded.</summary>
public sealed class VerifiedTokensTests
{
    private static readonly AccessTokenClaims Claims = new("con_abc", "cli_abc", 1, "jti");

    [Fact]
    public void Only_the_exact_token_that_was_verified_is_recognised()
    {
        var verified = new VerifiedTokens();
        var token = "aaa.bbb.ccc";
        Assert.False(verified.TryGet(token, out _));

        verified.Add(token, Claims);

        Assert.True(verified.TryGet(token, out var claims));
        Assert.Equal(Claims, claims);
        Assert.False(verified.TryGet("aaa.bbb.ccd", out _));
        Assert.False(verified.TryGet(token + " ", out _));
    }

    [Fact]
    public void Past_its_capacity_it_starts_over()
    {
        var verified = new VerifiedTokens();
        for (var i = 0; i < VerifiedTokens.Capacity; i++)
        {
            verified.Add("token-" + i, Claims);
        }

        Assert.True(verified.TryGet("token-0", out _));
        verified.Add("one-more", Claims);

        Assert.False(verified.TryGet("token-0", out _));
        Assert.True(verified.TryGet("one-more", out _));
    }
}
