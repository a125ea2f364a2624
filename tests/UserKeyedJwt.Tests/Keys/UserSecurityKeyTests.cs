using System.Security.Cryptography;
using FsCheck.Xunit;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Tests.Keys;

/// <summary>The signature provider is a thin wrapper over the platform's HMAC: it must give the same bytes, for all inputs.</summary>
public class UserSecurityKeyTests
{
    private static readonly ServerSecret Secret = new("s1", RandomNumberGenerator.GetBytes(32));

    [Property(MaxTest = 300)]
    public bool SignAndVerify_AnyData_AgreeWithHmacSha256(string stamp, byte[] data, bool tamper)
    {
        data ??= [];
        var inputs = new UserKeyInputs("user-1", stamp, "hash");
        var securityKey = UserKey.Derive(Secret, inputs, TokenPurpose.Access, null, 0).ToSecurityKey();
        var expected = HMACSHA256.HashData(UserKeyDerivation.Expand(Secret.Prk, inputs, TokenPurpose.Access), data);
        var provider = securityKey.CryptoProviderFactory.CreateForVerifying(securityKey, SecurityAlgorithms.HmacSha256);

        var signed = provider.Sign(data);
        var presented = (byte[])expected.Clone();
        if (tamper)
        {
            presented[data.Length % presented.Length] ^= 1;
        }

        return signed.AsSpan().SequenceEqual(expected)
            && provider.Verify(data, presented) == !tamper
            && !provider.Verify(data, expected[..31]);
    }

    [Theory]
    [InlineData(SecurityAlgorithms.HmacSha384)]
    [InlineData(SecurityAlgorithms.HmacSha512)]
    [InlineData(SecurityAlgorithms.RsaSha256)]
    [InlineData("none")]
    public void Factory_AnyOtherAlgorithm_IsRefused(string algorithm)
    {
        var securityKey = UserKey.Derive(Secret, new UserKeyInputs("user-1", "s", "h"), TokenPurpose.Access, null, 0).ToSecurityKey();

        Assert.False(securityKey.CryptoProviderFactory.IsSupportedAlgorithm(algorithm, securityKey));
        Assert.Throws<NotSupportedException>(() => securityKey.CryptoProviderFactory.CreateForVerifying(securityKey, algorithm));
    }
}
