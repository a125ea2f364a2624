namespace UserKeyedJwt;

/// <summary>What the validator does with an access or refresh token when the <see cref="IRevokedTokenStore"/> cannot answer.</summary>
public enum RevocationStoreFailureMode
{
    /// <summary>The token is rejected as <see cref="TokenFailureReason.StoreUnavailable"/>: a logout is never undone by an outage.</summary>
    FailClosed = 0,

    /// <summary>
    /// The token is accepted as if it were not revoked; the outage is still logged and counted. Refreshing still fails
    /// closed, because reuse detection cannot work without the store.
    /// </summary>
    FailOpen = 1,
}
