namespace UserKeyedJwt.AspNetCore;

/// <summary>
/// The <see cref="Microsoft.AspNetCore.Identity.UserManager{TUser}"/> operations after which
/// <see cref="UserKeyedUserManager{TUser}"/> rotates the security stamp, revoking the user's earlier tokens. Identity itself
/// rotates it for password, email, user name, phone, two-factor and external-login removal changes; these are the gaps.
/// </summary>
[Flags]
public enum SecurityStampRotation
{
    /// <summary>Rotate after none of them.</summary>
    None = 0,

    /// <summary><c>AddToRoleAsync</c> and <c>AddToRolesAsync</c>.</summary>
    AddToRole = 1,

    /// <summary><c>RemoveFromRoleAsync</c> and <c>RemoveFromRolesAsync</c>.</summary>
    RemoveFromRole = 2,

    /// <summary><c>AddClaimAsync</c> and <c>AddClaimsAsync</c>.</summary>
    AddClaim = 4,

    /// <summary><c>ReplaceClaimAsync</c>.</summary>
    ReplaceClaim = 8,

    /// <summary><c>RemoveClaimAsync</c> and <c>RemoveClaimsAsync</c>.</summary>
    RemoveClaim = 16,

    /// <summary><c>AddLoginAsync</c> (a new external login).</summary>
    AddLogin = 32,

    /// <summary><c>SetLockoutEndDateAsync</c> (an explicit lock or unlock; automatic lockout after failed attempts is not included).</summary>
    SetLockoutEndDate = 64,

    /// <summary>
    /// <c>AddOrUpdatePasskeyAsync</c> when it adds a new passkey. Updating a known passkey, which sign-in does on every use to
    /// store the signature counter, does not rotate: that would revoke the user's other sessions at every passkey sign-in.
    /// </summary>
    AddPasskey = 128,

    /// <summary><c>RemovePasskeyAsync</c>.</summary>
    RemovePasskey = 256,

    /// <summary>All of the above: the default.</summary>
    All = AddToRole | RemoveFromRole | AddClaim | ReplaceClaim | RemoveClaim | AddLogin | SetLockoutEndDate | AddPasskey | RemovePasskey,
}
