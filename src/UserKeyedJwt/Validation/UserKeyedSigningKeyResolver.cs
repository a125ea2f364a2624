using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt;

/// <summary>
/// The <see cref="TokenValidationParameters.IssuerSigningKeyResolver"/> of UserKeyedJwt. It does no I/O: it returns the user
/// key that <see cref="UserKeyedTokenHandler"/> placed in the parameters for this validation, or that
/// <see cref="UserKeyedTokenHandler.PrefetchAsync"/> placed in the parameters it returned, and only for the very <c>kid</c>
/// that key was derived for. Without a placed key it returns nothing, so validation fails closed.
/// </summary>
public static class UserKeyedSigningKeyResolver
{
    private const string KeyProperty = "UserKeyedJwt.Key";

    /// <summary>Resolves the placed user key; matches <see cref="IssuerSigningKeyResolver"/>.</summary>
    public static IEnumerable<SecurityKey> Resolve(string token, SecurityToken securityToken, string kid, TokenValidationParameters validationParameters) =>
        kid is not null
        && validationParameters is not null
        && validationParameters.InstancePropertyBag.TryGetValue(KeyProperty, out var placed)
        && placed is UserSecurityKey key
        && key.Key.HasKid(kid)
            ? [key]
            : [];

    internal static void Place(TokenValidationParameters parameters, UserKey key) =>
        parameters.InstancePropertyBag[KeyProperty] = key.ToSecurityKey();
}
