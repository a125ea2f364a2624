namespace UserKeyedJwt.AspNetCore;

/// <summary>How UserKeyedJwt reads key inputs from ASP.NET Core Identity and issues tokens for <typeparamref name="TUser"/>.</summary>
/// <typeparam name="TUser">The Identity user type.</typeparam>
public sealed class UserKeyedIdentityOptions<TUser>
    where TUser : class
{
    /// <summary>
    /// Maps a user to extra key inputs, such as a tenant id or an account status: when one of them changes (and the user is
    /// saved through the user manager), the user's earlier tokens are revoked. Called for every key lookup and every issued
    /// token, so keep it cheap and free of I/O. The values are secrets of the key derivation: never log them.
    /// </summary>
    /// <value><see langword="null"/>: no extra inputs; the key derives from id, security stamp and password hash only.</value>
    public Func<TUser, IReadOnlyDictionary<string, string?>>? ExtraKeyInputs { get; set; }

    /// <summary>The user-manager operations after which <see cref="UserKeyedUserManager{TUser}"/> rotates the security stamp.</summary>
    /// <value><see cref="SecurityStampRotation.All"/>.</value>
    public SecurityStampRotation RotateSecurityStampOn { get; set; } = SecurityStampRotation.All;

    /// <summary>The claim type under which issued tokens carry the user's roles.</summary>
    /// <value><see cref="UserKeyedJwtDefaults.RoleClaimType"/> (<c>role</c>), which the bearer scheme reads as roles.</value>
    public string RoleClaimType { get; set; } = UserKeyedJwtDefaults.RoleClaimType;

    /// <summary>The claim type under which issued tokens carry the user name; <see langword="null"/> leaves it out.</summary>
    /// <value><see cref="UserKeyedJwtDefaults.NameClaimType"/> (<c>name</c>).</value>
    public string? NameClaimType { get; set; } = UserKeyedJwtDefaults.NameClaimType;

    /// <summary>
    /// Whether issued tokens carry the user's stored Identity claims. Claims named like a registered JWT claim (<c>sub</c>,
    /// <c>jti</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>, <c>iss</c>, <c>aud</c>) are never copied.
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool IncludeUserClaims { get; set; } = true;
}
