using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserKeyedJwt.AspNetCore.Internal;

namespace UserKeyedJwt.AspNetCore;

/// <summary>
/// A <see cref="UserManager{TUser}"/> that keeps UserKeyedJwt tokens honest:
/// <list type="bullet">
/// <item>it rotates the security stamp after the permission changes that Identity leaves alone (roles, claims, external
/// logins, lockout, passkeys; see <see cref="SecurityStampRotation"/>), so they revoke the user's earlier tokens;</item>
/// <item>it drops the user's cached key (<see cref="IUserKeyCache.Invalidate"/>) after every update and delete, so a revocation
/// takes effect on the very next request instead of after <see cref="UserKeyedJwtOptions.KeyCacheTtl"/>;</item>
/// <item>it offers <see cref="RevokeAllTokensAsync"/>.</item>
/// </list>
/// Registered by <c>IdentityBuilder.AddUserKeyedJwt()</c>. Derive from it to customise the user manager further.
/// </summary>
/// <typeparam name="TUser">The Identity user type.</typeparam>
public class UserKeyedUserManager<TUser> : UserManager<TUser>
    where TUser : class
{
    private readonly IUserKeyCache _keyCache;
    private readonly IOptionsMonitor<UserKeyedIdentityOptions<TUser>> _keyedOptions;
    private readonly ILogger _keyedLogger;

    // Nested calls (AddClaimAsync calls AddClaimsAsync) rotate once, at the outermost call. A user manager is scoped and,
    // like its DbContext, not used concurrently, so a plain field is enough.
    private int _depth;

    /// <summary>
    /// Creates the user manager; the parameters are those of <see cref="UserManager{TUser}"/>, plus the key cache, the options
    /// and a logger of its own (category <c>UserKeyedJwt.AspNetCore.UserKeyedUserManager</c>) for rotations and revocations.
    /// </summary>
#pragma warning disable CA1062 // Arguments are validated by the base class or come from dependency injection.
    public UserKeyedUserManager(
        IUserStore<TUser> store,
        IOptions<IdentityOptions> optionsAccessor,
        IPasswordHasher<TUser> passwordHasher,
        IEnumerable<IUserValidator<TUser>> userValidators,
        IEnumerable<IPasswordValidator<TUser>> passwordValidators,
        ILookupNormalizer keyNormalizer,
        IdentityErrorDescriber errors,
        IServiceProvider services,
        ILogger<UserManager<TUser>> logger,
        IUserKeyCache keyCache,
        IOptionsMonitor<UserKeyedIdentityOptions<TUser>> keyedOptions,
        ILogger<UserKeyedUserManager<TUser>> keyedLogger)
        : base(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
#pragma warning restore CA1062
    {
        ArgumentNullException.ThrowIfNull(keyCache);
        ArgumentNullException.ThrowIfNull(keyedOptions);
        ArgumentNullException.ThrowIfNull(keyedLogger);
        _keyCache = keyCache;
        _keyedOptions = keyedOptions;
        _keyedLogger = keyedLogger;
    }

    /// <summary>
    /// Revokes every token of <paramref name="user"/> issued so far, by rotating the security stamp. The next request with
    /// any of them gets 401; a fresh login works.
    /// </summary>
    public virtual async Task<IdentityResult> RevokeAllTokensAsync(TUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var result = await UpdateSecurityStampAsync(user).ConfigureAwait(false);
        if (result.Succeeded)
        {
            Log.TokensRevoked(_keyedLogger, await GetUserIdAsync(user).ConfigureAwait(false));
        }

        return result;
    }

    /// <inheritdoc />
    public override Task<IdentityResult> AddToRoleAsync(TUser user, string role) =>
        RotateAfterAsync(user, SecurityStampRotation.AddToRole, nameof(AddToRoleAsync), () => base.AddToRoleAsync(user, role));

    /// <inheritdoc />
    public override Task<IdentityResult> AddToRolesAsync(TUser user, IEnumerable<string> roles) =>
        RotateAfterAsync(user, SecurityStampRotation.AddToRole, nameof(AddToRolesAsync), () => base.AddToRolesAsync(user, roles));

    /// <inheritdoc />
    public override Task<IdentityResult> RemoveFromRoleAsync(TUser user, string role) =>
        RotateAfterAsync(user, SecurityStampRotation.RemoveFromRole, nameof(RemoveFromRoleAsync), () => base.RemoveFromRoleAsync(user, role));

    /// <inheritdoc />
    public override Task<IdentityResult> RemoveFromRolesAsync(TUser user, IEnumerable<string> roles) =>
        RotateAfterAsync(user, SecurityStampRotation.RemoveFromRole, nameof(RemoveFromRolesAsync), () => base.RemoveFromRolesAsync(user, roles));

    /// <inheritdoc />
    public override Task<IdentityResult> AddClaimAsync(TUser user, Claim claim) =>
        RotateAfterAsync(user, SecurityStampRotation.AddClaim, nameof(AddClaimAsync), () => base.AddClaimAsync(user, claim));

    /// <inheritdoc />
    public override Task<IdentityResult> AddClaimsAsync(TUser user, IEnumerable<Claim> claims) =>
        RotateAfterAsync(user, SecurityStampRotation.AddClaim, nameof(AddClaimsAsync), () => base.AddClaimsAsync(user, claims));

    /// <inheritdoc />
    public override Task<IdentityResult> ReplaceClaimAsync(TUser user, Claim claim, Claim newClaim) =>
        RotateAfterAsync(user, SecurityStampRotation.ReplaceClaim, nameof(ReplaceClaimAsync), () => base.ReplaceClaimAsync(user, claim, newClaim));

    /// <inheritdoc />
    public override Task<IdentityResult> RemoveClaimAsync(TUser user, Claim claim) =>
        RotateAfterAsync(user, SecurityStampRotation.RemoveClaim, nameof(RemoveClaimAsync), () => base.RemoveClaimAsync(user, claim));

    /// <inheritdoc />
    public override Task<IdentityResult> RemoveClaimsAsync(TUser user, IEnumerable<Claim> claims) =>
        RotateAfterAsync(user, SecurityStampRotation.RemoveClaim, nameof(RemoveClaimsAsync), () => base.RemoveClaimsAsync(user, claims));

    /// <inheritdoc />
    public override Task<IdentityResult> AddLoginAsync(TUser user, UserLoginInfo login) =>
        RotateAfterAsync(user, SecurityStampRotation.AddLogin, nameof(AddLoginAsync), () => base.AddLoginAsync(user, login));

    /// <inheritdoc />
    public override Task<IdentityResult> SetLockoutEndDateAsync(TUser user, DateTimeOffset? lockoutEnd) =>
        RotateAfterAsync(user, SecurityStampRotation.SetLockoutEndDate, nameof(SetLockoutEndDateAsync), () => base.SetLockoutEndDateAsync(user, lockoutEnd));

    /// <inheritdoc />
    public override async Task<IdentityResult> AddOrUpdatePasskeyAsync(TUser user, UserPasskeyInfo passkey)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(passkey);

        // Sign-in updates a known passkey's counter on every use; only a new passkey is a credential change.
        var isNew = await GetPasskeyAsync(user, passkey.CredentialId).ConfigureAwait(false) is null;
        return isNew
            ? await RotateAfterAsync(user, SecurityStampRotation.AddPasskey, nameof(AddOrUpdatePasskeyAsync), () => base.AddOrUpdatePasskeyAsync(user, passkey)).ConfigureAwait(false)
            : await base.AddOrUpdatePasskeyAsync(user, passkey).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task<IdentityResult> RemovePasskeyAsync(TUser user, byte[] credentialId) =>
        RotateAfterAsync(user, SecurityStampRotation.RemovePasskey, nameof(RemovePasskeyAsync), () => base.RemovePasskeyAsync(user, credentialId));

    /// <inheritdoc />
    public override async Task<IdentityResult> DeleteAsync(TUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var userId = await GetUserIdAsync(user).ConfigureAwait(false);
        try
        {
            return await base.DeleteAsync(user).ConfigureAwait(false);
        }
        finally
        {
            _keyCache.Invalidate(userId);
        }
    }

    /// <summary>
    /// Saves the user, then drops the user's cached key whatever the outcome: every credential change (password, stamp,
    /// email, extra key inputs) passes through here, and the next request must see it.
    /// </summary>
    protected override async Task<IdentityResult> UpdateUserAsync(TUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        try
        {
            return await base.UpdateUserAsync(user).ConfigureAwait(false);
        }
        finally
        {
            _keyCache.Invalidate(await GetUserIdAsync(user).ConfigureAwait(false));
        }
    }

    private async Task<IdentityResult> RotateAfterAsync(TUser user, SecurityStampRotation trigger, string operation, Func<Task<IdentityResult>> change)
    {
        ArgumentNullException.ThrowIfNull(user);
        IdentityResult result;
        _depth++;
        try
        {
            result = await change().ConfigureAwait(false);
        }
        finally
        {
            _depth--;
        }

        if (!result.Succeeded || _depth > 0 || (_keyedOptions.CurrentValue.RotateSecurityStampOn & trigger) == 0)
        {
            return result;
        }

        var rotated = await UpdateSecurityStampAsync(user).ConfigureAwait(false);
        var userId = await GetUserIdAsync(user).ConfigureAwait(false);
        if (!rotated.Succeeded)
        {
            Log.SecurityStampRotationFailed(_keyedLogger, userId, operation, string.Join(",", rotated.Errors.Select(static e => e.Code)));
            return rotated;
        }

        Log.SecurityStampRotated(_keyedLogger, userId, operation);
        return result;
    }
}
