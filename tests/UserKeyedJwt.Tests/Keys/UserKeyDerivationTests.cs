using System.Security.Cryptography;
using FsCheck.Xunit;

namespace UserKeyedJwt.Tests.Keys;

public class UserKeyDerivationTests
{
    [Property(MaxTest = 200)]
    public bool DeriveKey_AnyInputs_IsRfc5869HkdfOfTheDocumentedInfo(string userId, string? stamp, string? hash, bool refresh, byte[] secret)
    {
        if (string.IsNullOrEmpty(userId) || userId.Length > UserKeyInputs.MaxUserIdLength || HasLoneSurrogate(userId) || HasLoneSurrogate(stamp) || HasLoneSurrogate(hash))
        {
            return true;
        }

        // Written here from the document, independently of the library's encoder.
        var inputs = new UserKeyInputs(userId, stamp, hash, new Dictionary<string, string?> { ["b"] = hash, ["a"] = stamp });
        var purpose = refresh ? "refresh" : "access";
        byte[] info = [.. Enc("UserKeyedJwt/v1/" + purpose), .. Enc(userId), .. Enc(stamp), .. Enc(hash), .. Enc("a"), .. Enc(stamp), .. Enc("b"), .. Enc(hash)];
        var expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret ?? [], 32, salt: [], info);

        return expected.AsSpan().SequenceEqual(UserKeyDerivation.DeriveKey(secret ?? [], inputs, refresh ? TokenPurpose.Refresh : TokenPurpose.Access));
    }

    private static byte[] Enc(string? value)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(value ?? string.Empty);
        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, utf8.Length);
        return [.. length, .. utf8];
    }

    [Fact]
    public void DeriveKey_LoneSurrogateInAnInput_Throws() =>
        Assert.Throws<System.Text.EncoderFallbackException>(() => UserKeyDerivation.DeriveKey(new byte[32], new UserKeyInputs("u\uD800", "s", "h"), TokenPurpose.Access));

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
