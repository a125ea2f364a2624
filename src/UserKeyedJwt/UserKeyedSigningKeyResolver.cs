using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Internal;

namespace UserKeyedJwt;

/// <summary>
/// The <see cref="TokenValidationParameters.IssuerSigningKeyResolver"/> of UserKeyedJwt. It does no I/O: it returns the user
/// key that <see cref="UserKeyedTokenHandler"/> (or <see cref="UserKeyedTokenHandler.PrefetchAsync"/>) placed in the
/// per-request parameters' <see cref="TokenValidationParameters.InstancePropertyBag"/>, and only when that key was
/// derived for this very <c>kid</c>. Without a placed key it returns nothing, so validation fails closed.
/// </summary>
public static class UserKeyedSigningKeyResolver
{
    internal const string PreparedKeyProperty = "UserKeyedJwt.PreparedKey";

    /// <summary>Resolves the prepared user key; matches <see cref="IssuerSigningKeyResolver"/>.</summary>
    public static IEnumerable<SecurityKey> Resolve(string token, SecurityToken securityToken, string kid, TokenValidationParameters validationParameters)
    {
        if (validationParameters is not null
            && kid is not null
            && validationParameters.InstancePropertyBag.TryGetValue(PreparedKeyProperty, out var value)
            && value is UserSigningKey key
            && string.Equals(key.KeyId, kid, StringComparison.Ordinal))
        {
            return [key];
        }

        return [];
    }

    internal static void Place(TokenValidationParameters parameters, UserSigningKey key) =>
        parameters.InstancePropertyBag[PreparedKeyProperty] = key;
}
