using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using PayApi.Gateway.Auth;
using Xunit;

namespace PayApi.IntegrationTests;

/// <summary>One spelling per segment and one s per signature, without a host.</summary>
public sealed class CompactJwsTests
{
    [Theory]
    [InlineData("eyJhIjoxfQ", true)] // {"a":1}
    [InlineData("eyJhIjoxfQ==", false)]
    [InlineData("eyJhIjox fQ", false)]
    [InlineData("eyJhIjox\tfQ", false)]
    [InlineData("eyJhIjoxfQ\n", false)]
    [InlineData("eyJhIjoxfR", false)] // the last character's spare bits set: same bytes, another spelling
    [InlineData("+/8", false)] // the standard alphabet's spelling of the bytes "-_8" decodes to
    [InlineData("-_8", true)]
    [InlineData("e", false)]
    [InlineData("", true)]
    public void A_segment_decodes_only_in_its_canonical_spelling(string segment, bool canonical)
    {
        Assert.Equal(canonical, CompactJws.TryDecodeSegment(segment, out var bytes));
        if (canonical)
        {
            Assert.Equal(segment, Base64Url.EncodeToString(bytes));
        }
    }

    [Fact]
    public void Each_signature_has_one_low_s_twin_that_also_verifies_and_only_the_low_one_is_canonical()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var data = Encoding.ASCII.GetBytes("header.payload");
        for (var i = 0; i < 16; i++)
        {
            var signature = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            var twin = CompactJws.WithOtherS(signature);
            Assert.True(key.VerifyData(data, twin, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            Assert.Equal(signature, CompactJws.WithOtherS(twin));
            Assert.NotEqual(CompactJws.IsLowS(signature), CompactJws.IsLowS(twin));

            var low = CompactJws.ToLowS(signature);
            Assert.True(CompactJws.IsLowS(low));
            Assert.Equal(low, CompactJws.ToLowS(twin));
        }

        Assert.False(CompactJws.IsLowS(new byte[63]));
        Assert.False(CompactJws.IsLowS(new byte[65]));
    }
}
