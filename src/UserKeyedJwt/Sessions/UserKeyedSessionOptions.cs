namespace UserKeyedJwt;

/// <summary>
/// Settings of sessions: lifetimes, refresh rotation, the bounds per user. They are validated at startup; every problem is
/// reported at once, naming the setting.
/// </summary>
public sealed class UserKeyedSessionOptions
{
    /// <summary>The configuration section conventionally bound to these options.</summary>
    public const string SectionName = "UserKeyedJwt:Sessions";

    /// <summary>How long a session lasts from sign-in at most, however often it is refreshed.</summary>
    /// <value>30 days. Above zero and at most 365 days.</value>
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a session survives without a refresh: each refresh token expires this long after it is issued (or at the
    /// session's absolute end, if sooner).
    /// </summary>
    /// <value>7 days. Above zero, at most <see cref="AbsoluteLifetime"/> and at most <see cref="UserKeyedJwtOptions.RefreshTokenLifetime"/>.</value>
    public TimeSpan InactivityTimeout { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long after a redemption the previous refresh token of the session may be redeemed again, for clients that refresh
    /// in parallel. Each such redemption gets a pair of the current generation and does not advance the session or extend the
    /// window, so the window closes this long after the last real redemption. A thief racing the client within the window
    /// also gets a pair: keep it at zero unless clients cannot serialize their refreshes.
    /// </summary>
    /// <value>Zero (off). At most 1 minute.</value>
    public TimeSpan RefreshReuseGraceWindow { get; set; } = TimeSpan.Zero;

    /// <summary>How many sessions a user may have; a new sign-in beyond it ends the session refreshed longest ago.</summary>
    /// <value>50. Between 1 and 1,000.</value>
    public int MaxSessionsPerUser { get; set; } = 50;

    /// <summary>How many tokens of one user may be on the <c>jti</c> denylist at once; beyond it, end the sessions instead.</summary>
    /// <value>100. Between 1 and 10,000.</value>
    public int MaxRevokedTokensPerUser { get; set; } = 100;

    /// <summary>How many sessions <see cref="InMemoryUserKeyedSessionStore"/> holds at most.</summary>
    /// <value>1,000,000. Between 1 and 100,000,000.</value>
    public int InMemoryStoreCapacity { get; set; } = 1_000_000;
}
