using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Text.Json.Serialization;
using UserKeyedJwt.Serialization;

namespace UserKeyedJwt;

/// <summary>
/// A user's key inputs: the current credential state from which the user's signing keys are derived. When any of them
/// changes, every token signed under the earlier key stops validating.
/// </summary>
/// <remarks>
/// The password hash, the security stamp and the extra inputs are secrets. <see cref="ToString"/> and the debugger display
/// show only the user id.
/// </remarks>
[DebuggerDisplay("UserKeyInputs(UserId = {UserId})")]
[JsonConverter(typeof(KeyMaterialJsonConverter<UserKeyInputs>))]
public sealed class UserKeyInputs
{
    /// <summary>The longest user id accepted, in UTF-16 code units; the validator refuses longer subjects before any lookup.</summary>
    public const int MaxUserIdLength = 256;

    private static readonly ReadOnlyDictionary<string, string?> NoExtraInputs = new(new Dictionary<string, string?>());

    /// <summary>Creates the key inputs of one user.</summary>
    /// <param name="userId">The user's stable id; becomes the token's <c>sub</c>. 1 to <see cref="MaxUserIdLength"/> characters.</param>
    /// <param name="securityStamp">The user's security stamp; <see langword="null"/> is treated as the empty string.</param>
    /// <param name="passwordHash">The user's password hash; <see langword="null"/> (no password) is treated as the empty string.</param>
    /// <param name="extraInputs">
    /// Further named key inputs, such as a tenant or an account status. Names are compared ordinally; order does not matter.
    /// </param>
    public UserKeyInputs(string userId, string? securityStamp, string? passwordHash, IReadOnlyDictionary<string, string?>? extraInputs = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(userId.Length, MaxUserIdLength, nameof(userId));
        UserId = userId;
        SecurityStamp = securityStamp;
        PasswordHash = passwordHash;
        if (extraInputs is null || extraInputs.Count == 0)
        {
            ExtraInputs = NoExtraInputs;
            return;
        }

        var copy = new Dictionary<string, string?>(extraInputs.Count, StringComparer.Ordinal);
        foreach (var pair in extraInputs)
        {
            ArgumentNullException.ThrowIfNull(pair.Key, nameof(extraInputs));
            copy.Add(pair.Key, pair.Value);
        }

        ExtraInputs = new ReadOnlyDictionary<string, string?>(copy);
    }

    /// <summary>The user's id. Not secret.</summary>
    public string UserId { get; }

    /// <summary>The security stamp. Secret: never log it.</summary>
    public string? SecurityStamp { get; }

    /// <summary>The password hash. Secret: never log it.</summary>
    public string? PasswordHash { get; }

    /// <summary>Extra named key inputs, as given by the application. Secret: never log them.</summary>
    public IReadOnlyDictionary<string, string?> ExtraInputs { get; }

    /// <inheritdoc />
    public override string ToString() => $"UserKeyInputs(UserId = {UserId})";
}
