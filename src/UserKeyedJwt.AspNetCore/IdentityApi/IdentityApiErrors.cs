namespace UserKeyedJwt.AspNetCore.IdentityApi;

/// <summary>The exceptions thrown for misuse of <c>MapUserKeyedIdentityApi&lt;TUser&gt;()</c>, each naming what to change.</summary>
internal static class IdentityApiErrors
{
    public static InvalidOperationException NotRegistered(Type userType, Type missing) =>
        new($"MapUserKeyedIdentityApi<{userType.Name}>() needs {Name(missing)}, which is not registered. Call services.AddUserKeyedIdentityApiEndpoints<{userType.Name}>(), "
            + $"or AddIdentityCore<{userType.Name}>().AddApiEndpoints().AddUserKeyedJwt() with AddAuthentication().AddUserKeyedJwtBearer().");

    public static NotSupportedException NoEmailStore(Type storeType) =>
        new($"MapUserKeyedIdentityApi requires a user store with email support: {storeType.FullName} does not implement IUserEmailStore<TUser>.");

    public static NotSupportedException NoUserEmail() =>
        new("MapUserKeyedIdentityApi requires every user to have an email: the user store returned none.");

    public static InvalidOperationException NoConfirmEmailLink(string endpointName) =>
        new($"No link could be made to the confirmEmail endpoint '{endpointName}' of MapUserKeyedIdentityApi: is the route group mapped on the app?");

    public static NotSupportedException NoAuthenticatorKey() =>
        new("The user manager produced no authenticator key: MapUserKeyedIdentityApi needs a store that implements IUserAuthenticatorKeyStore<TUser>.");

    private static string Name(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(static a => a.Name))}>" : type.Name;
}
