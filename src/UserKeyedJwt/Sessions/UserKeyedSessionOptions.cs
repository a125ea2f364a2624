namespace UserKeyedJwt;

/// <summary>
/// Settings of sessions: refresh-token rotation, reuse detection, session lifetimes and the revocation list. They are
/// validated at startup together with <see cref="UserKeyedJwtOptions"/>; every problem is reported at once, naming the setting.
/// </summary>
public sealed class UserKeyedSessionOptions
{
    /// <summary>The configuration section conventionally bound to these options.</summary>
    public const string SectionName = "UserKeyedJwt:Sessions";

    /// <summary>How long a session lasts from sign-in at most, however often it is refreshed. Refresh fails past it.</summary>
    /// <value>30 days. Above zero and at most 365 days.</value>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a session survives without a refresh: each refresh token expires this long after it is issued (or at the
    /// end of <see cref="AbsoluteLifetime"/>, if sooner).
    /// </summary>
    /// <value>7 days. Above zero, at most <see cref="AbsoluteLifetime"/> and at most <see cref="UserKeyedJwtOptions.RefreshTokenLifetime"/>.</value>
    public TimeSpan InactivityTimeout { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long after its first use a refresh token may be used again without being treated as stolen, for clients that
    /// refresh in parallel. Each use within the window returns a new, valid pair, so a thief racing the client within the
    /// window also gets one: keep it at zero unless clients cannot serialize their refreshes.
    /// </summary>
    /// <value>Zero (off). At most 1 minute.</value>
    public TimeSpan RefreshReuseGraceWindow { get; set; } = TimeSpan.Zero;

    /// <summary>What happens to a token when the revocation store cannot answer.</summary>
    /// <value><see cref="RevocationStoreFailureMode.FailClosed"/>: the token is rejected.</value>
    public RevocationStoreFailureMode RevocationStoreFailure { get; set; } = RevocationStoreFailureMode.FailClosed;

    /// <summary>
    /// How many entries (revoked tokens, ended sessions, consumed refresh tokens) <see cref="InMemoryRevokedTokenStore"/> holds
    /// at most. Expired entries are dropped first; when every entry is still live, a new revocation fails (and a logout
    /// then falls back to revoking all of the user's tokens).
    /// </summary>
    /// <value>1,000,000. Between 1 and 100,000,000.</value>
    public int InMemoryStoreCapacity { get; set; } = 1_000_000;
}
