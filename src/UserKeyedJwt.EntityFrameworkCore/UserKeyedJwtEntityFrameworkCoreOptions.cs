namespace UserKeyedJwt.EntityFrameworkCore;

/// <summary>
/// Settings of the database stores' background sweep, which deletes ended sessions and expired denylist entries. They are
/// validated at startup, naming the setting.
/// </summary>
public sealed class UserKeyedJwtEntityFrameworkCoreOptions
{
    /// <summary>The configuration section conventionally bound to these options.</summary>
    public const string SectionName = "UserKeyedJwt:EntityFrameworkCore";

    /// <summary>
    /// How often each node deletes the sessions that ended or were inactive for
    /// <see cref="UserKeyedSessionOptions.InactivityTimeout"/>, and the denylist entries of expired tokens. The first sweep runs
    /// at startup. Rows left between sweeps are harmless: the stores never answer with an ended session or an expired entry.
    /// </summary>
    /// <value>1 hour. At least 1 minute and at most 1 day.</value>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
