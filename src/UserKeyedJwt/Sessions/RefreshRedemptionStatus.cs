namespace UserKeyedJwt;

/// <summary>The outcome of redeeming a refresh token.</summary>
public enum RefreshRedemptionStatus
{
    /// <summary>The token was valid and is now consumed: issue the session's next pair.</summary>
    Redeemed = 0,

    /// <summary>The token is not valid (expired, revoked, of the wrong purpose, past the session's absolute lifetime...).</summary>
    Rejected = 1,

    /// <summary>
    /// The token was valid but consumed already, outside the grace window: treat it as stolen. Its session is revoked
    /// already; the caller must also revoke every token of the user, by rotating the security stamp.
    /// </summary>
    Reused = 2,
}
