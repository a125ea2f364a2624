using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>
/// The <see cref="TokenValidationParameters.IssuerSigningKeyResolver"/> that <c>AddUserKeyedJwtBearer</c> registers. It first
/// asks the core <see cref="UserKeyedSigningKeyResolver"/> on the parameters it is given (where
/// <see cref="UserKeyedTokenHandler"/> placed the key); for validators that were handed JwtBearer's own parameters, such as
/// <c>JwtSecurityTokenHandler</c>, it then asks the core resolver on the parameters that
/// <see cref="UserKeyedJwtBearerPrefetch.OnMessageReceived"/> prepared for this very token earlier in the request.
/// It does no I/O. Without either, it returns no key and validation fails closed.
/// </summary>
internal sealed class PrefetchingSigningKeyResolver(IHttpContextAccessor accessor, ILogger<PrefetchingSigningKeyResolver> logger)
{
    public IEnumerable<SecurityKey> Resolve(string token, SecurityToken securityToken, string kid, TokenValidationParameters validationParameters)
    {
        var keys = UserKeyedSigningKeyResolver.Resolve(token, securityToken, kid, validationParameters);
        var placed = keys as IReadOnlyCollection<SecurityKey> ?? [.. keys];
        if (placed.Count > 0)
        {
            return placed;
        }

        var prefetched = UserKeyedJwtBearerPrefetch.Find(accessor.HttpContext);
        if (prefetched is null)
        {
            Log.PrefetchMissing(logger);
            return [];
        }

        // The prepared key only ever serves the token it was prepared for; the core resolver also matches the kid.
        if (prefetched.Parameters is null || !string.Equals(prefetched.Token, token, StringComparison.Ordinal))
        {
            return [];
        }

        return UserKeyedSigningKeyResolver.Resolve(token, securityToken, kid, prefetched.Parameters);
    }
}
