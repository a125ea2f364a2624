namespace UserKeyedJwt.AspNetCore;

/// <summary>Issues UserKeyedJwt access tokens for ASP.NET Core Identity users. Registered as a scoped service.</summary>
/// <typeparam name="TUser">The Identity user type.</typeparam>
public interface IUserTokenService<TUser>
    where TUser : class
{
    /// <summary>
    /// Issues an access token for <paramref name="user"/>, signed under the key derived from the user's current id, security
    /// stamp, password hash and extra key inputs as the user store reports them, and carrying the user's name, roles and
    /// (by default) stored claims. Authenticate the user first: this method checks no credential.
    /// </summary>
    /// <param name="user">The user, as loaded by the current scope's user manager.</param>
    /// <param name="cancellationToken">Cancels the store reads.</param>
    Task<IssuedToken> IssueAsync(TUser user, CancellationToken cancellationToken = default);
}
