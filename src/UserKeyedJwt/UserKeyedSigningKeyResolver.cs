using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Internal;

namespace UserKeyedJwt;

/// <summary>
/// The <see cref="TokenValidationParameters.IssuerSigningKeyResolver"/> of UserKeyedJwt. It does no I/O: it returns the user
/// key prepared for this validation, and only when that key was derived for this very <c>kid</c>. Keys are prepared by
/// <see cref="UserKeyedTokenHandler"/> (for the duration of its own validation call) or by
/// <see cref="UserKeyedTokenHandler.PrefetchAsync"/> (in the returned parameters'
/// <see cref="TokenValidationParameters.InstancePropertyBag"/>). Without a prepared key it returns nothing, so validation
/// fails closed.
/// </summary>
public static class UserKeyedSigningKeyResolver
{
    internal const string PreparedKeyProperty = "UserKeyedJwt.PreparedKey";

    // The key the handler prepared for the validation running in this async flow. The handler sets it inside its own async
    // method, so the value is gone when that method returns: it never leaks into the caller's or another request's flow.
    private static readonly AsyncLocal<UserSigningKey?> Prepared = new();

    /// <summary>Resolves the prepared user key; matches <see cref="IssuerSigningKeyResolver"/>.</summary>
    public static IEnumerable<SecurityKey> Resolve(string token, SecurityToken securityToken, string kid, TokenValidationParameters validationParameters)
    {
        if (kid is null)
        {
            return [];
        }

        if (validationParameters is not null
            && validationParameters.InstancePropertyBag.TryGetValue(PreparedKeyProperty, out var value)
            && value is UserSigningKey placed
            && placed.MatchesKid(kid))
        {
            return [placed];
        }

        return Prepared.Value is { } current && current.MatchesKid(kid) ? [current] : [];
    }

    /// <summary>Prepares <paramref name="key"/> for the validation that runs next in the caller's async method.</summary>
    internal static void Prepare(UserSigningKey? key) => Prepared.Value = key;

    internal static void Place(TokenValidationParameters parameters, UserSigningKey key) =>
        parameters.InstancePropertyBag[PreparedKeyProperty] = key;
}
