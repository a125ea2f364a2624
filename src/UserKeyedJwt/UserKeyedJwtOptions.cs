namespace UserKeyedJwt;

/// <summary>
/// Settings of UserKeyedJwt. They are validated at startup; every problem is reported at once, naming the setting.
/// </summary>
public sealed class UserKeyedJwtOptions
{
    /// <summary>The configuration section conventionally bound to these options.</summary>
    public const string SectionName = "UserKeyedJwt";

    /// <summary>
    /// The ring of server secrets. Every secret in the ring is accepted for validation; only
    /// <see cref="ActiveSecretId"/> signs new tokens. Removing a secret revokes every token signed under it.
    /// </summary>
    /// <value>Empty: at least one secret is required.</value>
    public IList<ServerSecretOptions> ServerSecrets { get; } = [];

    /// <summary>The id of the secret that signs new tokens.</summary>
    /// <value><see langword="null"/>: allowed only when the ring holds exactly one secret, which is then active.</value>
    public string? ActiveSecretId { get; set; }

    /// <summary>The <c>iss</c> of issued tokens, and the only issuer accepted.</summary>
    /// <value>No default: required.</value>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> of issued tokens, and the only audience accepted.</summary>
    /// <value>No default: required.</value>
    public string? Audience { get; set; }

    /// <summary>The lifetime of access tokens. Short, because a stolen token lives until revocation or expiry.</summary>
    /// <value>10 minutes. Must be above zero and at most 1 day.</value>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The lifetime of refresh tokens.</summary>
    /// <value>14 days. Must be above zero and at most 365 days.</value>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The tolerance applied to <c>exp</c> and <c>nbf</c> for clock drift between servers.</summary>
    /// <value>30 seconds. At most 5 minutes.</value>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tokens longer than this many characters are rejected before any parsing.</summary>
    /// <value>8192. Between 512 and 1,048,576.</value>
    public int MaxTokenLength { get; set; } = 8192;

    /// <summary>How many users' derived keys the validator keeps in memory. 0 disables the cache.</summary>
    /// <value>100,000 users. The cache never grows beyond this.</value>
    public int KeyCacheSize { get; set; } = 100_000;

    /// <summary>
    /// How long a derived key stays cached. Changes made through the library drop the entry at once; this bounds how long a
    /// change made around the library (a direct database update, another node without cross-node invalidation) goes unseen.
    /// </summary>
    /// <value>1 minute. At most 1 hour.</value>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one user-store lookup may take before the token is rejected as <see cref="TokenFailureReason.StoreUnavailable"/>.</summary>
    /// <value>5 seconds. Above zero and at most 1 minute.</value>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
