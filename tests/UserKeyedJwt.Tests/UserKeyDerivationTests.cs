using System.Security.Cryptography;
using FsCheck.Xunit;

namespace UserKeyedJwt.Tests;

public class UserKeyDerivationTests
{
    [Property(MaxTest = 200)]
    public bool Expand_OneBlock_EqualsRfc5869Hkdf(string userId, string? stamp, string? hash, bool refresh, byte[] secret)
    {
        if (string.IsNullOrEmpty(userId) || HasLoneSurrogate(userId) || HasLoneSurrogate(stamp) || HasLoneSurrogate(hash))
        {
            return true;
        }

        var material = new UserKeyMaterial(userId, stamp, hash, new Dictionary<string, string?> { ["b"] = hash, ["a"] = stamp });
        var purpose = refresh ? TokenPurpose.Refresh : TokenPurpose.Access;
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, secret ?? []);
        var key = new byte[32];
        var twoBlocks = new byte[64];

        // The 32-byte key is HKDF-Expand's T(1), computed as one HMAC (D27); 64 bytes take the platform's HKDF-Expand,
        // whose first block is the same T(1) by RFC 5869.
        UserKeyDerivation.Expand(prk, material, purpose, key);
        UserKeyDerivation.Expand(prk, material, purpose, twoBlocks);

        return key.AsSpan().SequenceEqual(twoBlocks.AsSpan(0, 32)) && key.AsSpan().SequenceEqual(UserKeyDerivation.DeriveKey(secret ?? [], material, purpose));
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
