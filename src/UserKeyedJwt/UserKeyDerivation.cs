using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace UserKeyedJwt;

/// <summary>
/// The key derivation of UserKeyedJwt v1, exactly as specified in <c>docs/key-derivation.md</c>.
/// The bytes produced here are a public contract: other languages re-derive them from the document.
/// </summary>
/// <remarks>
/// <code>
/// PRK     = HKDF-Extract(salt = empty, IKM = server secret)
/// userKey = HKDF-Expand(PRK, info, 32)
/// info    = enc("UserKeyedJwt/v1/" + purpose) || enc(userId) || enc(securityStamp) || enc(passwordHash)
///           || for each extra input, in ordinal name order: enc(name) || enc(value)
/// enc(s)  = 4-byte big-endian length of UTF-8(s) || UTF-8(s); null is ""
/// </code>
/// </remarks>
public static class UserKeyDerivation
{
    /// <summary>The size of a derived HS256 user key, in bytes.</summary>
    public const int KeySizeInBytes = 32;

    internal const int PrkSizeInBytes = 32;
    internal const int FingerprintSizeInBytes = 8;
    internal const int TagSizeInBytes = 16;

    // Strict: a lone surrogate throws instead of silently becoming U+FFFD, so two different strings never encode alike.
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private const string AccessLabel = "UserKeyedJwt/v1/access";
    private const string RefreshLabel = "UserKeyedJwt/v1/refresh";
    private const string TagKeyLabel = "UserKeyedJwt/v1/kid-tag";
    private static readonly byte[] FingerprintLabel = Encoding.ASCII.GetBytes("UserKeyedJwt/v1/fingerprint");
    private const int StackLimit = 512;

    /// <summary>Derives the user key for <paramref name="purpose"/> from a raw server secret.</summary>
    /// <param name="serverSecret">The server secret's bytes (the IKM of HKDF-Extract).</param>
    /// <param name="material">The user's key inputs.</param>
    /// <param name="purpose">Access or refresh.</param>
    /// <returns>A new 32-byte key. The caller owns it and should zero it when done.</returns>
    public static byte[] DeriveKey(ReadOnlySpan<byte> serverSecret, UserKeyMaterial material, TokenPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(material);
        Span<byte> prk = stackalloc byte[PrkSizeInBytes];
        try
        {
            Extract(serverSecret, prk);
            var key = new byte[KeySizeInBytes];
            Expand(prk, material, purpose, key);
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    internal static void Extract(ReadOnlySpan<byte> serverSecret, Span<byte> prk) =>
        HKDF.Extract(HashAlgorithmName.SHA256, serverSecret, salt: default, prk);

    /// <param name="prk">The PRK.</param>
    /// <param name="material">The user's key inputs.</param>
    /// <param name="purpose">Access or refresh.</param>
    /// <param name="key">Receives the user key (32 bytes in every use; other lengths take the platform's HKDF-Expand).</param>
    internal static void Expand(ReadOnlySpan<byte> prk, UserKeyMaterial material, TokenPurpose purpose, Span<byte> key)
    {
        var label = purpose == TokenPurpose.Refresh ? RefreshLabel : AccessLabel;
        KeyValuePair<string, string?>[]? extras = null;
        var length = EncodedLength(label) + EncodedLength(material.UserId) + EncodedLength(material.SecurityStamp) + EncodedLength(material.PasswordHash);
        if (material.ExtraInputs.Count > 0)
        {
            extras = [.. material.ExtraInputs];
            Array.Sort(extras, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var pair in extras)
            {
                length = checked(length + EncodedLength(pair.Key) + EncodedLength(pair.Value));
            }
        }

        // One spare byte: HKDF-Expand of 32 bytes is the single block T(1) = HMAC(PRK, info || 0x01).
        byte[]? rented = null;
        var buffer = length < StackLimit ? stackalloc byte[length + 1] : (rented = ArrayPool<byte>.Shared.Rent(length + 1));
        buffer = buffer[..(length + 1)];
        var info = buffer[..length];
        try
        {
            var written = Write(info, label);
            written += Write(info[written..], material.UserId);
            written += Write(info[written..], material.SecurityStamp);
            written += Write(info[written..], material.PasswordHash);
            if (extras is not null)
            {
                foreach (var pair in extras)
                {
                    written += Write(info[written..], pair.Key);
                    written += Write(info[written..], pair.Value);
                }
            }

            if (key.Length == HMACSHA256.HashSizeInBytes)
            {
                // Without the platform HKDF's per-call HMAC set-up (D27); the PRK is 32 bytes, within one block.
                buffer[length] = 0x01;
                Internal.PaddedHmacSha256.HashData(prk, buffer, key);
            }
            else
            {
                HKDF.Expand(HashAlgorithmName.SHA256, prk, key, info);
            }
        }
        finally
        {
            // The info holds the password hash and the stamp.
            CryptographicOperations.ZeroMemory(buffer);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The key that MACs the pre-authenticator tag in <c>kid</c>: HKDF-Expand(PRK, enc("UserKeyedJwt/v1/kid-tag"), 32).</summary>
    internal static void DeriveTagKey(ReadOnlySpan<byte> prk, Span<byte> tagKey)
    {
        Span<byte> info = stackalloc byte[64];
        var written = Write(info, TagKeyLabel);
        HKDF.Expand(HashAlgorithmName.SHA256, prk, tagKey, info[..written]);
    }

    /// <summary>A non-secret fingerprint of a user key: the first 8 bytes of HMAC-SHA256(userKey, "UserKeyedJwt/v1/fingerprint").</summary>
    internal static void Fingerprint(ReadOnlySpan<byte> userKey, Span<byte> fingerprint)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Internal.PaddedHmacSha256.HashData(userKey, FingerprintLabel, mac);
        mac[..FingerprintSizeInBytes].CopyTo(fingerprint);
        CryptographicOperations.ZeroMemory(mac);
    }

    /// <summary>
    /// The pre-authenticator tag: the first 16 bytes of HMAC-SHA256(tagKey, enc(sub) || enc(fingerprint) || enc(secretId)),
    /// where fingerprint is its base64url text as it appears in <c>kid</c>.
    /// </summary>
    internal static void Tag(ReadOnlySpan<byte> tagKey, string subject, ReadOnlySpan<char> fingerprint, ReadOnlySpan<char> secretId, Span<byte> tag)
    {
        var length = checked(EncodedLength(subject) + 8 + StrictUtf8.GetByteCount(fingerprint) + StrictUtf8.GetByteCount(secretId));
        byte[]? rented = null;
        var input = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        input = input[..length];
        try
        {
            var written = Write(input, subject);
            written += Write(input[written..], fingerprint);
            written += Write(input[written..], secretId);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            Internal.PaddedHmacSha256.HashData(tagKey, input[..written], mac);

            mac[..TagSizeInBytes].CopyTo(tag);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int EncodedLength(string? value) => checked(4 + StrictUtf8.GetByteCount(value ?? string.Empty));

    private static int Write(Span<byte> destination, string? value) => Write(destination, (value ?? string.Empty).AsSpan());

    private static int Write(Span<byte> destination, ReadOnlySpan<char> value)
    {
        var count = StrictUtf8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, count);
        return 4 + count;
    }
}
