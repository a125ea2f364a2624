using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.EntityFrameworkCore;

/// <summary>
/// A row of the <c>UserKeyedSessions</c> table: a <see cref="UserKeyedSession"/> as the database keeps it, with its times in
/// whole seconds since the Unix epoch, which SQLite and PostgreSQL store and compare alike.
/// </summary>
/// <remarks><see cref="Secret"/> is a key input of the session's tokens: never log it, nor show this row.</remarks>
[Table("UserKeyedSessions")]
[Index(nameof(UserId), nameof(LastRefreshedAt))]
[Index(nameof(ExpiresAt))]
[Index(nameof(LastRefreshedAt))]
[DebuggerDisplay("UserKeyedSessionEntity(Id = {Id}, UserId = {UserId}, Generation = {Generation})")]
public sealed class UserKeyedSessionEntity
{
    /// <summary>The longest session id kept; the library's own are shorter.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The longest session secret kept; the library's own are shorter.</summary>
    public const int MaxSecretLength = 64;

    /// <summary>The session id (<c>sid</c>).</summary>
    [Key]
    [MaxLength(MaxIdLength)]
    public required string Id { get; set; }

    /// <summary>The user (<c>sub</c>).</summary>
    [MaxLength(UserKeyInputs.MaxUserIdLength)]
    public required string UserId { get; set; }

    /// <summary>The session's secret. Secret: never log it.</summary>
    [MaxLength(MaxSecretLength)]
    public required string Secret { get; set; }

    /// <summary>The sign-in, in seconds since the Unix epoch.</summary>
    public long CreatedAt { get; set; }

    /// <summary>The last redemption of a refresh token, or the sign-in, in seconds since the Unix epoch.</summary>
    public long LastRefreshedAt { get; set; }

    /// <summary>The absolute end, in seconds since the Unix epoch.</summary>
    public long ExpiresAt { get; set; }

    /// <summary>The generation the next redemption must present.</summary>
    public long Generation { get; set; }

    /// <summary>A short label of the device.</summary>
    [MaxLength(UserKeyedSession.MaxDeviceLength)]
    public string? Device { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"UserKeyedSessionEntity(Id = {Id}, UserId = {UserId}, Generation = {Generation})";
}
