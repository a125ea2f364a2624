using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.EntityFrameworkCore;

/// <summary>
/// A row of the <c>UserKeyedRevokedTokens</c> table: one token on the <c>jti</c> denylist, kept until the token expires
/// (<see cref="ExpiresAt"/>, in whole seconds since the Unix epoch).
/// </summary>
[Table("UserKeyedRevokedTokens")]
[PrimaryKey(nameof(UserId), nameof(TokenId))]
[Index(nameof(ExpiresAt))]
public sealed class UserKeyedRevokedTokenEntity
{
    /// <summary>The longest token id (<c>jti</c>) the denylist takes; the library's own are shorter.</summary>
    public const int MaxTokenIdLength = 64;

    /// <summary>The user (<c>sub</c>).</summary>
    [MaxLength(UserKeyInputs.MaxUserIdLength)]
    public required string UserId { get; set; }

    /// <summary>The revoked token's id (<c>jti</c>).</summary>
    [MaxLength(MaxTokenIdLength)]
    public required string TokenId { get; set; }

    /// <summary>When the entry may go: the token's expiry, in seconds since the Unix epoch.</summary>
    public long ExpiresAt { get; set; }
}
