using System.Security.Cryptography;
using FsCheck.Xunit;

namespace UserKeyedJwt.Tests;

public class UserKeyDerivationTests
{
    [Property(MaxTest = 200)]
    public bool Expand_WithReusableMac_EqualsRfc5869Hkdf(string userId, string? stamp, string? hash, bool refresh, byte[] secret)
    {
        if (string.IsNullOrEmpty(userId) || HasLoneSurrogate(userId) || HasLoneSurrogate(stamp) || HasLoneSurrogate(hash))
        {
            return true;
        }

        var material = new UserKeyMaterial(userId, stamp, hash, new Dictionary<string, string?> { ["b"] = hash, ["a"] = stamp });
        var purpose = refresh ? TokenPurpose.Refresh : TokenPurpose.Access;
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, secret ?? []);
        using var mac = new HMACSHA256(prk);
        var reused = new byte[32];
        var reference = new byte[32];

        UserKeyDerivation.Expand(prk, mac, material, purpose, reused);
        UserKeyDerivation.Expand(prk, prkMac: null, material, purpose, reference);
        UserKeyDerivation.Expand(prk, mac, material, purpose, reused); // the MAC object is reusable

        return reused.AsSpan().SequenceEqual(reference) && reference.AsSpan().SequenceEqual(UserKeyDerivation.DeriveKey(secret ?? [], material, purpose));
    }

    [Fact]
    public void DeriveKey_LoneSurrogateInAnInput_Throws() =>
        Assert.Throws<System.Text.EncoderFallbackException>(() => UserKeyDerivation.DeriveKey(new byte[32], new UserKeyMaterial("u\uD800", "s", "h"), TokenPurpose.Access));

    private static bool HasLoneSurrogate(string? s)
    {
        if (s is null)
        {
            return false;
        }

        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }
}
