namespace UserKeyedJwt.AspNetCore;

/// <summary>Limits and error codes of <c>MapUserKeyedIdentityApi&lt;TUser&gt;()</c>.</summary>
public static class UserKeyedIdentityApiDefaults
{
    /// <summary>
    /// The longest password, in UTF-16 code units, that <c>/register</c>, <c>/resetPassword</c> and <c>/manage/info</c>
    /// accept: <c>256</c>. A longer one is refused with the validation error <see cref="PasswordTooLongErrorCode"/> before any
    /// hashing, and a longer password at <c>/login</c> is answered <c>Failed</c> without a hash, as it cannot match.
    /// </summary>
    public const int MaxPasswordLength = 256;

    /// <summary>The validation error code of a password longer than <see cref="MaxPasswordLength"/>: <c>PasswordTooLong</c>.</summary>
    public const string PasswordTooLongErrorCode = "PasswordTooLong";

    /// <summary>
    /// The validation error code of a password change refused because the user is locked out: <c>LockedOut</c>, the word
    /// <c>/login</c> answers in the same case.
    /// </summary>
    public const string LockedOutErrorCode = "LockedOut";
}
