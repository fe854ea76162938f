namespace PayApi.Vault.Tests;

public sealed class HkdfTests
{
    [Fact]
    public void Rfc5869_test_case_1()
    {
        var ikm = Enumerable.Repeat((byte)0x0b, 22).ToArray();
        var salt = Convert.FromHexString("000102030405060708090a0b0c");
        var info = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9");

        var okm = Hkdf.DeriveSubkey(ikm, salt, info, 42);

        Assert.Equal(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
            Convert.ToHexStringLower(okm));
    }

    [Fact]
    public void Different_info_gives_unrelated_subkeys()
    {
        var parent = new byte[32];
        Assert.NotEqual(Hkdf.DeriveSubkey(parent, [], "enc"u8, 32), Hkdf.DeriveSubkey(parent, [], "mac"u8, 32));
    }
}
