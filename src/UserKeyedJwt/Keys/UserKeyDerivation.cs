using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace UserKeyedJwt;

/// <summary>
/// The key derivation of UserKeyedJwt v1, exactly as <c>docs/key-derivation.md</c> specifies it. Its bytes are a public
/// contract: other languages re-derive them from the document, and the tests check them against its vectors.
/// </summary>
/// <remarks>
/// <code>
/// PRK         = HKDF-Extract(salt = empty, IKM = server secret)
/// tagKey      = HKDF-Expand(PRK, enc("UserKeyedJwt/v1/kid-tag"), 32)
/// userKey     = HKDF-Expand(PRK, enc("UserKeyedJwt/v1/" + purpose) || enc(userId) || enc(securityStamp) || enc(passwordHash)
///                                || for each extra input, in ordinal name order: enc(name) || enc(value), 32)
/// sessionKey  = HKDF-Expand(userKey, enc("UserKeyedJwt/v1/session") || enc(sessionId) || enc(sessionSecret), 32)
///               -- the key of a token of a session; a token without a session is signed under userKey
/// fingerprint = b64url(HMAC(userKey, "UserKeyedJwt/v1/fingerprint")[0..8])
/// tag         = b64url(HMAC(tagKey, enc(purpose) || enc(sub) || enc(fingerprint) || enc(secretId))[0..16])
/// kid         = secretId "." fingerprint "." tag
/// enc(s)      = 4-byte big-endian length of UTF-8(s) || UTF-8(s); null is ""
/// </code>
/// </remarks>
internal static class UserKeyDerivation
{
    public const int KeySizeInBytes = 32;
    public const int FingerprintLength = 11;
    public const int TagLength = 22;

    private const int FingerprintSizeInBytes = 8;
    private const int TagSizeInBytes = 16;

    // A lone surrogate throws instead of becoming U+FFFD, so that two different strings never encode alike.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly byte[] FingerprintLabel = "UserKeyedJwt/v1/fingerprint"u8.ToArray();

    /// <summary>The purpose as the derivation and the tag name it: <c>access</c> or <c>refresh</c>.</summary>
    public static string PurposeName(TokenPurpose purpose) => purpose == TokenPurpose.Refresh ? "refresh" : "access";

    /// <summary>PRK = HKDF-Extract(salt = empty, IKM = <paramref name="serverSecret"/>).</summary>
    public static byte[] Extract(byte[] serverSecret) => HKDF.Extract(HashAlgorithmName.SHA256, serverSecret);

    /// <summary>The key that MACs the <c>kid</c> tag: HKDF-Expand(PRK, enc("UserKeyedJwt/v1/kid-tag"), 32).</summary>
    public static byte[] TagKey(byte[] prk) => HKDF.Expand(HashAlgorithmName.SHA256, prk, KeySizeInBytes, Encode(["UserKeyedJwt/v1/kid-tag"]));

    /// <summary>The user key for <paramref name="purpose"/>, from a server secret's raw bytes (for the vectors).</summary>
    public static byte[] DeriveKey(byte[] serverSecret, UserKeyInputs inputs, TokenPurpose purpose) => Expand(Extract(serverSecret), inputs, purpose);

    /// <summary>userKey = HKDF-Expand(PRK, info, 32). The caller owns the result and zeroes it when done.</summary>
    public static byte[] Expand(byte[] prk, UserKeyInputs inputs, TokenPurpose purpose)
    {
        List<string?> fields = ["UserKeyedJwt/v1/" + PurposeName(purpose), inputs.UserId, inputs.SecurityStamp, inputs.PasswordHash];
        foreach (var (name, value) in inputs.ExtraInputs.OrderBy(static pair => pair.Key, StringComparer.Ordinal))
        {
            fields.Add(name);
            fields.Add(value);
        }

        var info = Encode(fields);
        try
        {
            return HKDF.Expand(HashAlgorithmName.SHA256, prk, KeySizeInBytes, info);
        }
        finally
        {
            // The info holds the password hash and the stamp.
            CryptographicOperations.ZeroMemory(info);
        }
    }

    /// <summary>The key of a session's tokens: HKDF-Expand(userKey, enc("UserKeyedJwt/v1/session") || enc(sessionId) || enc(sessionSecret), 32).</summary>
    public static byte[] ExpandForSession(byte[] userKey, string sessionId, string sessionSecret)
    {
        var info = Encode(["UserKeyedJwt/v1/session", sessionId, sessionSecret]);
        try
        {
            return HKDF.Expand(HashAlgorithmName.SHA256, userKey, KeySizeInBytes, info);
        }
        finally
        {
            // The info holds the session's secret.
            CryptographicOperations.ZeroMemory(info);
        }
    }

    /// <summary>The non-secret fingerprint of a user key, as it appears in <c>kid</c>: 11 characters.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> userKey)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(userKey, FingerprintLabel, mac);
        return Base64Url.EncodeToString(mac[..FingerprintSizeInBytes]);
    }

    /// <summary>Writes the 22 characters of the <c>kid</c> tag, from <paramref name="tagMac"/>, an HMAC keyed with the secret's tag key.</summary>
    public static void Tag(IncrementalHash tagMac, TokenPurpose purpose, string subject, string fingerprint, string secretId, Span<char> tag)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        tagMac.AppendData(Encode([PurposeName(purpose), subject, fingerprint, secretId]));
        tagMac.GetHashAndReset(mac);
        Base64Url.EncodeToChars(mac[..TagSizeInBytes], tag);
    }

    private static byte[] Encode(IReadOnlyList<string?> fields)
    {
        var length = 0;
        foreach (var field in fields)
        {
            length = checked(length + 4 + StrictUtf8.GetByteCount(field ?? string.Empty));
        }

        var encoded = new byte[length];
        var at = 0;
        foreach (var field in fields)
        {
            var count = StrictUtf8.GetBytes(field ?? string.Empty, encoded.AsSpan(at + 4));
            BinaryPrimitives.WriteInt32BigEndian(encoded.AsSpan(at), count);
            at += 4 + count;
        }

        return encoded;
    }
}
