using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Internal;

namespace UserKeyedJwt;

/// <summary>
/// The <see cref="TokenValidationParameters.IssuerSigningKeyResolver"/> of UserKeyedJwt. It does no I/O: it returns the user
/// key prepared for this validation, and only when that key was derived for this very <c>kid</c>. Keys are prepared by
/// <see cref="UserKeyedTokenHandler"/> (on its thread, for the synchronous span of IdentityModel's validation call) or by
/// <see cref="UserKeyedTokenHandler.PrefetchAsync"/> (in the returned parameters'
/// <see cref="TokenValidationParameters.InstancePropertyBag"/>). Without a prepared key it returns nothing, so validation
/// fails closed.
/// </summary>
public static class UserKeyedSigningKeyResolver
{
    internal const string PreparedKeyProperty = "UserKeyedJwt.PreparedKey";

    // The key the handler prepared for the validation it is starting on this thread. The handler sets it right before it
    // calls IdentityModel and clears it in a finally right after that call returns, before awaiting the returned task, so
    // the value exists only inside one synchronous span: nothing else can run on the thread meanwhile, and nothing outlives
    // it (D25). IdentityModel resolves keys synchronously when it has no configuration manager, which the hardening forbids;
    // should it ever resolve after an asynchronous pause, it would find no key here and the token would fail, not pass.
    [ThreadStatic]
    private static UserSigningKey? t_prepared;

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

        return t_prepared is { } current && current.MatchesKid(kid) ? [current] : [];
    }

    /// <summary>Prepares <paramref name="key"/> for the validation the caller starts next on this thread; <see langword="null"/> clears it.</summary>
    internal static void Prepare(UserSigningKey? key) => t_prepared = key;

    internal static void Place(TokenValidationParameters parameters, UserSigningKey key) =>
        parameters.InstancePropertyBag[PreparedKeyProperty] = key;
}
