using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>Issues access tokens for Identity users from their current key inputs, name, roles and claims.</summary>
internal sealed class UserTokenService<TUser>(IUserStore<TUser> store, UserKeyedTokenIssuer issuer, IOptionsMonitor<UserKeyedIdentityOptions<TUser>> options)
    : IUserTokenService<TUser>
    where TUser : class
{
    public async Task<IssuedToken> IssueAsync(TUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var (inputs, claims) = await ReadAsync(user, cancellationToken).ConfigureAwait(false);
        return issuer.Issue(inputs, claims, TokenPurpose.Access);
    }

    /// <summary>The user's current key inputs and the claims an access token carries for them.</summary>
    internal async Task<(UserKeyInputs Inputs, List<Claim> Claims)> ReadAsync(TUser user, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var inputs = await IdentityKeyInputs.ReadAsync(store, user, settings, cancellationToken).ConfigureAwait(false);

        var claims = new List<Claim>();
        if (settings.NameClaimType is { Length: > 0 } nameType
            && await store.GetUserNameAsync(user, cancellationToken).ConfigureAwait(false) is { Length: > 0 } userName)
        {
            claims.Add(new Claim(nameType, userName));
        }

        if (store is IUserRoleStore<TUser> roles)
        {
            foreach (var role in await roles.GetRolesAsync(user, cancellationToken).ConfigureAwait(false))
            {
                claims.Add(new Claim(settings.RoleClaimType, role));
            }
        }

        if (settings.IncludeUserClaims && store is IUserClaimStore<TUser> userClaims)
        {
            foreach (var claim in await userClaims.GetClaimsAsync(user, cancellationToken).ConfigureAwait(false))
            {
                // The issuer sets these itself and would refuse a stored claim of the same type.
                if (!UserKeyedTokenIssuer.IsReservedClaim(claim.Type))
                {
                    claims.Add(new Claim(claim.Type, claim.Value, claim.ValueType));
                }
            }
        }

        return (inputs, claims);
    }
}
