namespace UserKeyedJwt.AspNetCore;

/// <summary>Names used by the ASP.NET Core integration of UserKeyedJwt.</summary>
public static class UserKeyedJwtDefaults
{
    /// <summary>
    /// The default authentication scheme: <c>UserKeyedJwt</c>. It is distinct from JwtBearer's <c>Bearer</c>, so an app can run
    /// both side by side; clients still send <c>Authorization: Bearer &lt;token&gt;</c>, and challenges still say <c>Bearer</c>.
    /// </summary>
    public const string AuthenticationScheme = "UserKeyedJwt";

    /// <summary>The claim that carries the user id: <c>sub</c>, set by the core issuer.</summary>
    public const string UserIdClaimType = "sub";

    /// <summary>The claim that carries the user name, and the name claim type of validated identities: <c>name</c>.</summary>
    public const string NameClaimType = "name";

    /// <summary>The claim that carries each role, and the role claim type of validated identities: <c>role</c>.</summary>
    public const string RoleClaimType = "role";
}
