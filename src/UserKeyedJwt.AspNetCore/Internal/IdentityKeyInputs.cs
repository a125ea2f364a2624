using Microsoft.AspNetCore.Identity;

namespace UserKeyedJwt.AspNetCore.Internal;

/// <summary>Reads a user's key inputs through the Identity store: the same reads for validation and for issuing.</summary>
internal static class IdentityKeyInputs
{
    public static async Task<UserKeyInputs> ReadAsync<TUser>(IUserStore<TUser> store, TUser user, UserKeyedIdentityOptions<TUser> options, CancellationToken cancellationToken)
        where TUser : class
    {
        if (store is not IUserSecurityStampStore<TUser> stamps)
        {
            throw Errors.NoSecurityStampStore(store.GetType());
        }

        var userId = await store.GetUserIdAsync(user, cancellationToken).ConfigureAwait(false);
        var stamp = await stamps.GetSecurityStampAsync(user, cancellationToken).ConfigureAwait(false);

        // A user without a password (external logins only) derives from the empty hash, as the core specifies.
        var passwordHash = store is IUserPasswordStore<TUser> passwords
            ? await passwords.GetPasswordHashAsync(user, cancellationToken).ConfigureAwait(false)
            : null;
        return new UserKeyInputs(userId, stamp, passwordHash, options.ExtraKeyInputs?.Invoke(user));
    }
}
