namespace UserKeyedJwt;

/// <summary>
/// Why a token was rejected. The reason goes to logs and metrics only; clients always see one uniform failure.
/// </summary>
public enum TokenFailureReason
{
    /// <summary>The token is not a compact JWS this server would issue: size, encoding, header, algorithm, issuer or audience.</summary>
    Malformed = 1,

    /// <summary>The token was signed for a different purpose (an access token presented as a refresh token, or the reverse).</summary>
    WrongPurpose = 2,

    /// <summary>The token's <c>exp</c> is in the past, beyond the clock skew.</summary>
    Expired = 3,

    /// <summary>The token's <c>nbf</c> is in the future, beyond the clock skew.</summary>
    NotYetValid = 4,

    /// <summary>
    /// The pre-authenticator tag in <c>kid</c> does not verify, or names a server secret that is not in the ring:
    /// the server never signed this subject under this key. No user lookup was made.
    /// </summary>
    Forged = 5,

    /// <summary>The subject no longer exists in the user store.</summary>
    UnknownUser = 6,

    /// <summary>The user's key inputs (password hash, security stamp, id or extra inputs) changed after the token was issued.</summary>
    Revoked = 7,

    /// <summary>The key inputs are current but the signature does not verify: the token was altered.</summary>
    Tampered = 8,

    /// <summary>The user store failed or timed out. The token is rejected: the library fails closed.</summary>
    StoreUnavailable = 9,

    /// <summary>
    /// The token's <c>jti</c>, or its session (<c>sid</c>), is on the revocation list: the session was logged out, or the
    /// token was revoked on its own. Checked only after the signature verified.
    /// </summary>
    Denylisted = 10,
}
