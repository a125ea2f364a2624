using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace UserKeyedJwt.Internal;

/// <summary>
/// The structural checks that run before anything else is parsed: three base64url segments with no padding, a canonical
/// 32-byte signature, and a header that holds exactly <c>alg</c>, <c>typ</c> and <c>kid</c>, each once, as strings.
/// </summary>
/// <remarks>
/// Refusing every other header (<c>crit</c>, <c>jku</c>, <c>jwk</c>, <c>x5u</c>, <c>enc</c>, <c>zip</c>, ...) closes key
/// injection and JWE confusion at the door; refusing duplicates removes any parser differential with IdentityModel.
/// The signature must be canonical base64url, since the last of its 43 characters carries two unused bits that would
/// otherwise let four different strings carry the same signature.
/// </remarks>
internal static class TokenShape
{
    public const int SignatureLength = 43;
    public const string AccessType = "at+jwt";
    public const string RefreshType = "rt+jwt";
    private const int MaxHeaderLength = 1024;
    private const int MaxKidLength = ServerSecretId.MaxLength + 2 + UserSigningKey.FingerprintLength + UserSigningKey.TagLength;

    private static readonly SearchValues<char> Base64UrlAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    private static readonly SearchValues<char> KidAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 2, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    public static string TypeOf(TokenPurpose purpose) => purpose == TokenPurpose.Refresh ? RefreshType : AccessType;

    /// <summary>Checks the segments; on success gives the length of the header segment.</summary>
    public static bool TrySplit(string token, out int headerLength)
    {
        headerLength = token.IndexOf('.', StringComparison.Ordinal);
        if (headerLength <= 0)
        {
            return false;
        }

        var second = token.IndexOf('.', headerLength + 1);
        if (second <= headerLength + 1 || token.Length - second - 1 != SignatureLength)
        {
            return false;
        }

        // Vectorised: this scan runs on every request.
        if (token.AsSpan(0, headerLength).ContainsAnyExcept(Base64UrlAlphabet)
            || token.AsSpan(headerLength + 1, second - headerLength - 1).ContainsAnyExcept(Base64UrlAlphabet)
            || token.AsSpan(second + 1).ContainsAnyExcept(Base64UrlAlphabet))
        {
            return false;
        }

        // 43 characters carry 258 bits for a 256-bit MAC: the last character's two low bits must be zero.
        return (AlphabetIndex(token[^1]) & 0b11) == 0;
    }

    /// <summary>Reads the header strictly. Returns <see langword="null"/> when it is acceptable for <paramref name="purpose"/>.</summary>
    public static TokenFailureReason? ReadHeader(ReadOnlySpan<char> encodedHeader, TokenPurpose purpose) => ReadHeader(encodedHeader, purpose, out _);

    /// <summary>
    /// Reads the header strictly. Returns <see langword="null"/> when it is acceptable for <paramref name="purpose"/>, with its
    /// <c>kid</c> (unescaped, as IdentityModel reads it) in <paramref name="kid"/>.
    /// </summary>
    public static TokenFailureReason? ReadHeader(ReadOnlySpan<char> encodedHeader, TokenPurpose purpose, out string? kid)
    {
        kid = null;
        string? readKid = null;
        if (encodedHeader.Length > MaxHeaderLength)
        {
            return TokenFailureReason.Malformed;
        }

        Span<byte> json = stackalloc byte[MaxHeaderLength];
        if (Base64Url.DecodeFromChars(encodedHeader, json, out _, out var written) != OperationStatus.Done)
        {
            return TokenFailureReason.Malformed;
        }

        bool algOk = false, sawAlg = false, sawTyp = false, sawKid = false;
        TokenFailureReason? typeFailure = null;
        var reader = new Utf8JsonReader(json[..written], ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return TokenFailureReason.Malformed;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("alg"u8) && !sawAlg)
                {
                    sawAlg = true;
                    algOk = reader.Read() && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("HS256"u8);
                }
                else if (reader.ValueTextEquals("typ"u8) && !sawTyp)
                {
                    sawTyp = true;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return TokenFailureReason.Malformed;
                    }

                    var expected = purpose == TokenPurpose.Refresh ? "rt+jwt"u8 : "at+jwt"u8;
                    var other = purpose == TokenPurpose.Refresh ? "at+jwt"u8 : "rt+jwt"u8;
                    typeFailure = reader.ValueTextEquals(expected) ? null
                        : reader.ValueTextEquals(other) ? TokenFailureReason.WrongPurpose
                        : TokenFailureReason.Malformed;
                }
                else if (reader.ValueTextEquals("kid"u8) && !sawKid)
                {
                    // IdentityModel reads the same single member into JsonWebToken.Kid; the handler checks they agree.
                    sawKid = true;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxKidLength * 6)
                    {
                        return TokenFailureReason.Malformed;
                    }

                    readKid = reader.GetString();
                }
                else
                {
                    // An unexpected or repeated member.
                    return TokenFailureReason.Malformed;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return TokenFailureReason.Malformed;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8 once unescaped.
            return TokenFailureReason.Malformed;
        }

        if (!algOk || !sawTyp || !sawKid)
        {
            return TokenFailureReason.Malformed;
        }

        if (typeFailure is null)
        {
            kid = readKid;
        }

        return typeFailure;
    }

    /// <summary>
    /// The kid of a header that is exactly the canonical one for its kid and <paramref name="purpose"/> (see
    /// <see cref="IsCanonicalHeader"/>), or <see langword="null"/> for any other header, which then needs <see cref="ReadHeader(ReadOnlySpan{char}, TokenPurpose, out string?)"/>.
    /// </summary>
    public static string? ReadCanonicalKid(ReadOnlySpan<char> encodedHeader, TokenPurpose purpose)
    {
        ReadOnlySpan<byte> prefix = "{\"alg\":\"HS256\",\"kid\":\""u8;
        var suffix = purpose == TokenPurpose.Refresh ? "\",\"typ\":\"rt+jwt\"}"u8 : "\",\"typ\":\"at+jwt\"}"u8;
        const int MaxCanonicalLength = 22 + MaxKidLength + 17; // prefix, kid, suffix
        if (encodedHeader.Length > Base64Url.GetEncodedLength(MaxCanonicalLength))
        {
            return null;
        }

        Span<byte> json = stackalloc byte[MaxCanonicalLength];
        if (Base64Url.DecodeFromChars(encodedHeader, json, out _, out var written) != OperationStatus.Done
            || written <= prefix.Length + suffix.Length || !json.StartsWith(prefix) || !json[..written].EndsWith(suffix))
        {
            return null;
        }

        // Latin-1 maps each byte to one char; IsCanonicalHeader then checks the kid's alphabet and the exact encoding.
        var kid = System.Text.Encoding.Latin1.GetString(json[prefix.Length..(written - suffix.Length)]);
        return IsCanonicalHeader(encodedHeader, kid, purpose) ? kid : null;
    }

    /// <summary>
    /// Whether <paramref name="encodedHeader"/> is exactly the base64url of <c>{"alg":"HS256","kid":"…","typ":"…"}</c> for
    /// this kid and purpose, as the issuer writes it. Such a header passes <see cref="ReadHeader(ReadOnlySpan{char}, TokenPurpose)"/> by construction.
    /// </summary>
    public static bool IsCanonicalHeader(ReadOnlySpan<char> encodedHeader, string kid, TokenPurpose purpose)
    {
        ReadOnlySpan<byte> prefix = "{\"alg\":\"HS256\",\"kid\":\""u8;
        var suffix = purpose == TokenPurpose.Refresh ? "\",\"typ\":\"rt+jwt\"}"u8 : "\",\"typ\":\"at+jwt\"}"u8;
        if (kid.Length > MaxKidLength || kid.AsSpan().ContainsAnyExcept(KidAlphabet))
        {
            return false;
        }

        Span<byte> json = stackalloc byte[prefix.Length + MaxKidLength + suffix.Length];
        prefix.CopyTo(json);
        var length = prefix.Length;
        foreach (var c in kid)
        {
            json[length++] = (byte)c;
        }

        suffix.CopyTo(json[length..]);
        length += suffix.Length;
        Span<char> expected = stackalloc char[Base64Url.GetEncodedLength(json.Length)];
        var written = Base64Url.EncodeToChars(json[..length], expected);
        return encodedHeader.SequenceEqual(expected[..written]);
    }

    /// <summary>Splits <c>kid</c> into secret id, fingerprint and tag, checking each part's shape.</summary>
    public static bool TryParseKid(string kid, out Range secretId, out Range fingerprint, out Range tag)
    {
        secretId = fingerprint = tag = default;
        var tail = 1 + UserSigningKey.FingerprintLength + 1 + UserSigningKey.TagLength;
        if (kid.Length <= tail || kid.Length > MaxKidLength)
        {
            return false;
        }

        var idLength = kid.Length - tail;
        if (kid[idLength] != '.' || kid[idLength + 1 + UserSigningKey.FingerprintLength] != '.' || !ServerSecretId.IsValid(kid.AsSpan(0, idLength)))
        {
            return false;
        }

        secretId = 0..idLength;
        fingerprint = (idLength + 1)..(idLength + 1 + UserSigningKey.FingerprintLength);
        tag = (kid.Length - UserSigningKey.TagLength)..;
        return Base64Url.IsValid(kid.AsSpan(fingerprint)) && Base64Url.IsValid(kid.AsSpan(tag));
    }

    private static int AlphabetIndex(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        _ => 63,
    };
}
