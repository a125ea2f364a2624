using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace UserKeyedJwt.Internal;

/// <summary>
/// The payload members the cheap checks need (<c>sub</c>, <c>exp</c>, <c>nbf</c>, <c>iss</c>, <c>aud</c>, and <c>iat</c> as a
/// hint for the key cache), read with one
/// forward pass of a <see cref="Utf8JsonReader"/> over the decoded payload, before IdentityModel builds a
/// <see cref="Microsoft.IdentityModel.JsonWebTokens.JsonWebToken"/>. Forged, expired and foreign tokens are so rejected
/// without the full parse; a token that passes is still parsed and validated by IdentityModel, and the handler checks
/// that IdentityModel read the same subject and kid.
/// </summary>
/// <remarks>
/// Stricter than IdentityModel, never looser: the whole payload must be one well-formed JSON object; each of the five
/// members may appear at most once; <c>sub</c> and <c>iss</c> must be strings; <c>aud</c> a string or an array of
/// strings; <c>exp</c> (required) and <c>nbf</c> integers. Hostile input gives <see langword="false"/>, never an exception.
/// </remarks>
internal static class TokenPayload
{
    /// <summary>The longest subject accepted (UTF-16 code units), as before this reader existed.</summary>
    public const int MaxSubjectLength = 256;

    private const int StackLimit = 1024;

    // IdentityModel reads with the System.Text.Json defaults (depth 64, no comments, no trailing commas); so do we.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    /// <summary>
    /// Reads the checked members of the base64url <paramref name="encodedPayload"/> (UTF-8 JSON). Returns <see langword="false"/> when the
    /// payload is not well-formed JSON, a member has the wrong type or repeats, <c>sub</c> or <c>exp</c> is missing,
    /// <c>sub</c> is empty or too long, or <c>iss</c>/<c>aud</c> do not name <paramref name="issuer"/>/<paramref name="audience"/>.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<char> encodedPayload, string issuer, string audience, out PayloadClaims claims) =>
        TryRead(encodedPayload, Encoding.UTF8.GetBytes(issuer), Encoding.UTF8.GetBytes(audience), out claims);

    /// <summary>As <see cref="TryRead(ReadOnlySpan{char}, string, string, out PayloadClaims)"/>, with the issuer and audience as UTF-8.</summary>
    public static bool TryRead(ReadOnlySpan<char> encodedPayload, ReadOnlySpan<byte> issuer, ReadOnlySpan<byte> audience, out PayloadClaims claims)
    {
        claims = default;
        var maxLength = Base64Url.GetMaxDecodedLength(encodedPayload.Length);
        byte[]? rented = null;
        var buffer = maxLength <= StackLimit ? stackalloc byte[maxLength] : (rented = ArrayPool<byte>.Shared.Rent(maxLength));
        try
        {
            if (Base64Url.DecodeFromChars(encodedPayload, buffer, out var consumed, out var written) != OperationStatus.Done || consumed != encodedPayload.Length)
            {
                return false;
            }

            return TryReadJson(buffer[..written], issuer, audience, out claims);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>As <see cref="TryRead(ReadOnlySpan{char}, string, string, out PayloadClaims)"/>, over the payload's JSON bytes.</summary>
    public static bool TryReadJson(ReadOnlySpan<byte> json, string issuer, string audience, out PayloadClaims claims) =>
        TryReadJson(json, Encoding.UTF8.GetBytes(issuer), Encoding.UTF8.GetBytes(audience), out claims);

    /// <summary>As <see cref="TryReadJson(ReadOnlySpan{byte}, string, string, out PayloadClaims)"/>, with the issuer and audience as UTF-8.</summary>
    public static bool TryReadJson(ReadOnlySpan<byte> json, ReadOnlySpan<byte> issuer, ReadOnlySpan<byte> audience, out PayloadClaims claims)
    {
        claims = default;
        string? subject = null;
        long expires = 0;
        long? notBefore = null;
        long? issuedAt = null;
        bool sawExp = false, sawNbf = false, sawIat = false, issuerOk = false, sawIss = false, audienceOk = false, sawAud = false;
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("sub"u8))
                {
                    if (subject is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    subject = reader.GetString();
                    if (string.IsNullOrEmpty(subject) || subject.Length > MaxSubjectLength)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("exp"u8))
                {
                    if (sawExp || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out expires))
                    {
                        return false;
                    }

                    sawExp = true;
                }
                else if (reader.ValueTextEquals("nbf"u8))
                {
                    if (sawNbf || !reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var nbf))
                    {
                        return false;
                    }

                    sawNbf = true;
                    notBefore = nbf;
                }
                else if (reader.ValueTextEquals("iat"u8))
                {
                    // Not a validation input: only a hint for the key cache (a token newer than a cached key asks the store).
                    // Any other type, or a repeat, leaves it absent; the signature decides about such a token anyway.
                    if (!reader.Read())
                    {
                        return false;
                    }

                    issuedAt = !sawIat && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var iat) ? iat : null;
                    sawIat = true;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("iss"u8))
                {
                    if (sawIss || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }

                    sawIss = true;
                    issuerOk = reader.ValueTextEquals(issuer);
                }
                else if (reader.ValueTextEquals("aud"u8))
                {
                    if (sawAud || !reader.Read())
                    {
                        return false;
                    }

                    sawAud = true;
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        audienceOk = reader.ValueTextEquals(audience);
                    }
                    else if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        while (reader.Read() && reader.TokenType == JsonTokenType.String)
                        {
                            audienceOk |= reader.ValueTextEquals(audience);
                        }

                        if (reader.TokenType != JsonTokenType.EndArray)
                        {
                            return false;
                        }
                    }
                    else
                    {
                        return false;
                    }
                }
                else
                {
                    // Any other member: validated as JSON, value skipped.
                    reader.Skip();
                }
            }

            // The object must close and nothing may follow it (the reader throws on trailing content).
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // JsonException: not JSON. InvalidOperationException: a string that is not valid UTF-8 once unescaped.
            return false;
        }

        if (subject is null || !sawExp || !issuerOk || !audienceOk)
        {
            return false;
        }

        claims = new PayloadClaims(subject, expires, notBefore, issuedAt);
        return true;
    }

    /// <summary>A JWT NumericDate as IdentityModel's <c>EpochTime.DateTime</c> reads it: clamped to the epoch and to <see cref="DateTime.MaxValue"/>.</summary>
    public static DateTime ToDateTime(long secondsSinceEpoch)
    {
        const long MaxSeconds = 253_402_300_799; // 9999-12-31T23:59:59Z
        return secondsSinceEpoch <= 0 ? DateTime.UnixEpoch
            : secondsSinceEpoch > MaxSeconds ? DateTime.MaxValue
            : DateTime.UnixEpoch.AddSeconds(secondsSinceEpoch);
    }
}

/// <summary>What <see cref="TokenPayload"/> read: the subject, <c>exp</c>, and <c>nbf</c> and <c>iat</c> when present, in seconds since the epoch.</summary>
internal readonly record struct PayloadClaims(string Subject, long Expires, long? NotBefore, long? IssuedAt = null)
{
    public DateTime ExpiresUtc => TokenPayload.ToDateTime(Expires);

    public DateTime? NotBeforeUtc => NotBefore is { } nbf ? TokenPayload.ToDateTime(nbf) : null;
}
