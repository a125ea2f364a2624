using System.Security.Cryptography;

namespace UserKeyedJwt.Tests.Vectors;

/// <summary>RFC 5869 appendix A, SHA-256 cases: the primitive under the derivation.</summary>
public class HkdfRfc5869Tests
{
    public static TheoryData<string, string, string, int, string, string> Cases => new()
    {
        {
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        },
        {
            Range(0x00, 80), Range(0x60, 80), Range(0xb0, 80), 82,
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"
        },
        {
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExtractThenExpand_Rfc5869Case_MatchesPrkAndOkm(string ikm, string salt, string info, int length, string prk, string okm)
    {
        var actualPrk = HKDF.Extract(HashAlgorithmName.SHA256, Convert.FromHexString(ikm), Convert.FromHexString(salt));
        var actualOkm = HKDF.Expand(HashAlgorithmName.SHA256, actualPrk, length, Convert.FromHexString(info));

        Assert.Equal(prk, Convert.ToHexStringLower(actualPrk));
        Assert.Equal(okm, Convert.ToHexStringLower(actualOkm));
    }

    [Fact]
    public void Extract_EmptySalt_MatchesRfc5869Case3()
    {
        // Case 3 is the one with an empty salt, which is how the derivation extracts its PRK.
        var prk = UserKeyDerivation.Extract(Convert.FromHexString("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"));

        Assert.Equal("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", Convert.ToHexStringLower(prk));
    }

    private static string Range(int start, int count) => Convert.ToHexStringLower([.. Enumerable.Range(start, count).Select(i => (byte)i)]);
}
