using System.Buffers.Binary;
using System.Security.Cryptography;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

/// <summary>
/// An authenticator app, written from RFC 6238 (TOTP: HMAC-SHA1, 30-second steps, 6 digits) and RFC 4648 (base32), as
/// Identity's AuthenticatorTokenProvider checks codes: the test's own implementation, not Identity's.
/// </summary>
public static class Totp
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Code(string sharedKey) => Code(sharedKey, TimeProvider.System.GetUtcNow());

    public static string Code(string sharedKey, DateTimeOffset at)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, at.ToUnixTimeSeconds() / 30);
        var mac = HMACSHA1.HashData(FromBase32(sharedKey), counter);
        var offset = mac[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(mac.AsSpan(offset)) & 0x7fffffff;
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static byte[] FromBase32(string text)
    {
        var bits = 0;
        var value = 0;
        var bytes = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            var index = Alphabet.IndexOf(c, StringComparison.Ordinal);
            Assert.True(index >= 0, $"'{c}' is not base32.");
            value = ((value << 5) | index) & 0xffff;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)((value >> (bits - 8)) & 0xff));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
