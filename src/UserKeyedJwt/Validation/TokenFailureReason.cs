using System.Text.Json.Serialization;

namespace UserKeyedJwt;

/// <summary>
/// Why a token was rejected, in the order the handler checks. The reason goes to logs and metrics only; clients always see
/// one uniform failure.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenFailureReason>))]
public enum TokenFailureReason
{
    /// <summary>
    /// Not a token this server would issue: too long, not a compact JWS, a header other than the issuer's, a repeated JSON
    /// member, text after the JSON, non-canonical base64url, a missing <c>exp</c>, or a foreign issuer or audience.
    /// </summary>
    Malformed = 1,

    /// <summary>A token of the other purpose: a refresh token presented as an access token, or the reverse.</summary>
    WrongPurpose = 2,

    /// <summary>The token's <c>exp</c> is in the past, beyond the clock skew.</summary>
    Expired = 3,

    /// <summary>The token's <c>nbf</c> is in the future, beyond the clock skew.</summary>
    NotYetValid = 4,

    /// <summary>The <c>kid</c> names a server secret that is not in the ring: removed, as the kill switch does, or never there.</summary>
    UnknownServerSecret = 5,

    /// <summary>
    /// The tag in <c>kid</c> does not verify: the server never issued a token of this purpose for this subject under this key.
    /// Decided before any user lookup.
    /// </summary>
    InvalidKidTag = 6,

    /// <summary>The subject no longer exists in the user store.</summary>
    UnknownUser = 7,

    /// <summary>The token's session (<c>sid</c>) ended: a logout, another session's "log out the others", its end, or reuse of one of its refresh tokens.</summary>
    SessionEnded = 8,

    /// <summary>The user's key inputs (password hash, security stamp, id or an extra input) changed after the token was issued.</summary>
    KeyInputsChanged = 9,

    /// <summary>The key is the user's current one, but the signature does not verify under it: the token was altered.</summary>
    InvalidSignature = 10,

    /// <summary>A store (users, sessions or revoked tokens) failed or timed out. The token is rejected: the library fails closed.</summary>
    StoreUnavailable = 11,

    /// <summary>This very token (its <c>jti</c>) was revoked on its own, while the user's other tokens stay valid. Checked after the signature.</summary>
    TokenRevoked = 12,
}
