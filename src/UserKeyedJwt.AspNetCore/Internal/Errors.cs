namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>The one place that builds the exceptions thrown for misuse and misconfiguration of the ASP.NET Core integration.</summary>
internal static class Errors
{
    public static ArgumentException UserTypeMismatch(Type builderUserType, Type requested, string paramName) =>
        new($"The IdentityBuilder is for user type {builderUserType.FullName}, but AddUserKeyedJwt<{requested.Name}> was called. Use AddUserKeyedJwt<{builderUserType.Name}>.", paramName);

    public static InvalidOperationException UserManagerNotKeyed(Type actual, Type userType) =>
        new($"UserManager<{userType.Name}> resolves to {actual.FullName}, which does not rotate the security stamp on role, claim, login, lockout and passkey changes, so those changes would not revoke tokens. "
            + $"Call IdentityBuilder.AddUserKeyedJwt() after any AddUserManager<...>() call, or derive your user manager from UserKeyedUserManager<{userType.Name}>.");

    public static InvalidOperationException NoSecurityStampStore(Type storeType) =>
        new($"The Identity user store {storeType.FullName} does not implement IUserSecurityStampStore<TUser>. UserKeyedJwt derives each user's key from the security stamp; use a store that keeps one (the Entity Framework Core stores do).");
}
