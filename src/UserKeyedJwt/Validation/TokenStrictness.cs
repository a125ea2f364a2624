using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt;

/// <summary>
/// The checks IdentityModel's parser lacks, as small functions over what it parsed. IdentityModel keeps the last of two JSON
/// members with one name, ignores text after the JSON and accepts more than one spelling of one base64url value; any of
/// these would let two readers of one signed token disagree about what it says.
/// </summary>
internal static class TokenStrictness
{
    public const string AccessType = "at+jwt";
    public const string RefreshType = "rt+jwt";

    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };
    private static readonly SearchValues<char> Base64UrlAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static string TypeOf(TokenPurpose purpose) => purpose == TokenPurpose.Refresh ? RefreshType : AccessType;

    /// <summary>Why the token is not one the issuer writes, or <see langword="null"/>; on success, its <c>kid</c>'s parts.</summary>
    public static TokenFailureReason? Check(JsonWebToken token, TokenPurpose purpose, out KidParts kid)
    {
        kid = default;
        if (string.Equals(token.Typ, TypeOf(purpose == TokenPurpose.Refresh ? TokenPurpose.Access : TokenPurpose.Refresh), StringComparison.Ordinal))
        {
            return TokenFailureReason.WrongPurpose;
        }

        // The segments of the token IdentityModel parsed, as spans of its text: a JWS has exactly three.
        var text = token.EncodedToken.AsSpan();
        Span<Range> segments = stackalloc Range[4];
        if (token.IsEncrypted || text.Split(segments, '.') != 3)
        {
            return TokenFailureReason.Malformed;
        }

        // The header must be byte for byte the one the issuer writes: alg, kid and typ, once each, and nothing else.
        if (!KidParts.TryParse(token.Kid, out kid) || !IsIssuersHeader(text[segments[0]], token.Kid, purpose))
        {
            return TokenFailureReason.Malformed;
        }

        return IsCanonicalSignature(text[segments[2]]) && IsStrictPayload(text[segments[1]]) ? null : TokenFailureReason.Malformed;
    }

    private static bool IsIssuersHeader(ReadOnlySpan<char> encodedHeader, string kid, TokenPurpose purpose)
    {
        // The kid's alphabet needs no JSON escaping, so this is the only spelling.
        Span<byte> json = stackalloc byte[128];
        if (!Utf8.TryWrite(json, $"{{\"alg\":\"{SecurityAlgorithms.HmacSha256}\",\"kid\":\"{kid}\",\"typ\":\"{TypeOf(purpose)}\"}}", out var length))
        {
            return false;
        }

        Span<char> expected = stackalloc char[Base64Url.GetEncodedLength(length)];
        Base64Url.EncodeToChars(json[..length], expected);
        return encodedHeader.SequenceEqual(expected);
    }

    // Two spellings of one MAC would make one token two strings, which a denylist or a replay check by string would miss.
    private static bool IsCanonicalSignature(ReadOnlySpan<char> encoded)
    {
        Span<byte> signature = stackalloc byte[32];
        return encoded.Length == Base64Url.GetEncodedLength(signature.Length)
            && Base64Url.TryDecodeFromChars(encoded, signature, out var written) && written == signature.Length
            && IsCanonical(encoded, signature);
    }

    private static bool IsStrictPayload(ReadOnlySpan<char> encoded)
    {
        var json = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(encoded.Length));
        try
        {
            if (Base64Url.DecodeFromChars(encoded, json, out _, out var length) != OperationStatus.Done || !IsCanonical(encoded, json.AsSpan(0, length)))
            {
                return false;
            }

            // Throws on a repeated member name at any depth and on anything after the value.
            using var document = JsonDocument.Parse(json.AsMemory(0, length), StrictJson);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(json);
        }
    }

    // The one spelling the encoder writes: no padding, no whitespace, no stray low bits in the last character.
    private static bool IsCanonical(ReadOnlySpan<char> encoded, ReadOnlySpan<byte> decoded)
    {
        var length = Base64Url.GetEncodedLength(decoded.Length);
        if (encoded.Length != length)
        {
            return false;
        }

        var buffer = length <= 1024 ? null : ArrayPool<char>.Shared.Rent(length);
        var expected = buffer is null ? stackalloc char[length] : buffer.AsSpan(0, length);
        try
        {
            Base64Url.EncodeToChars(decoded, expected);
            return encoded.SequenceEqual(expected);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<char>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The three parts of a <c>kid</c>: <c>{secretId}.{fingerprint}.{tag}</c>, each of the right shape.</summary>
    public readonly record struct KidParts(string SecretId, string Fingerprint, string Tag)
    {
        public static bool TryParse(string? kid, out KidParts parts)
        {
            parts = default;
            Span<Range> ranges = stackalloc Range[4];
            if (kid is null || kid.AsSpan().Split(ranges, '.') != 3)
            {
                return false;
            }

            var (secretId, fingerprint, tag) = (kid[ranges[0]], kid[ranges[1]], kid[ranges[2]]);
            if (!ServerSecretId.IsValid(secretId)
                || fingerprint.Length != UserKeyDerivation.FingerprintLength || fingerprint.AsSpan().ContainsAnyExcept(Base64UrlAlphabet)
                || tag.Length != UserKeyDerivation.TagLength || tag.AsSpan().ContainsAnyExcept(Base64UrlAlphabet))
            {
                return false;
            }

            parts = new KidParts(secretId, fingerprint, tag);
            return true;
        }
    }
}
