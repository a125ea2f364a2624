using System.Diagnostics;
using System.Text.Json.Serialization;
using UserKeyedJwt.Serialization;

namespace UserKeyedJwt;

/// <summary>
/// A session as its store keeps it: one sign-in on one device, with the secret that its tokens' keys derive from. Ending the
/// session deletes it, and every token of it stops validating.
/// </summary>
/// <remarks>
/// <see cref="Secret"/> is a key input: never log it. <see cref="ToString"/> and the debugger display leave it out, and JSON
/// serialisation throws <see cref="NotSupportedException"/>.
/// </remarks>
[DebuggerDisplay("UserKeyedSession(Id = {Id}, UserId = {UserId}, Generation = {Generation})")]
[JsonConverter(typeof(KeyMaterialJsonConverter<UserKeyedSession>))]
public sealed class UserKeyedSession
{
    /// <summary>The claim type of the session id, in access and refresh tokens.</summary>
    public const string SessionIdClaimType = "sid";

    /// <summary>The claim type of the sign-in time (seconds since the Unix epoch, OpenID Connect's <c>auth_time</c>).</summary>
    public const string AuthenticatedAtClaimType = "auth_time";

    /// <summary>The claim type of a refresh token's generation: the one a redemption must find in the store.</summary>
    public const string GenerationClaimType = "gen";

    /// <summary>The longest device label kept.</summary>
    public const int MaxDeviceLength = 64;

    /// <summary>Describes a stored session.</summary>
    /// <param name="id">The session id (<c>sid</c>): random, not a secret.</param>
    /// <param name="userId">The user.</param>
    /// <param name="secret">The session's secret, a key input of its tokens.</param>
    /// <param name="createdAt">The sign-in time; also the tokens' <c>auth_time</c>.</param>
    /// <param name="lastRefreshedAt">The last redemption of a refresh token, or the sign-in.</param>
    /// <param name="expiresAt">The absolute end, however often the session is refreshed.</param>
    /// <param name="generation">The generation of the refresh token that the next redemption must present.</param>
    /// <param name="device">A short label of the device, such as its user agent.</param>
    public UserKeyedSession(string id, string userId, string secret, DateTimeOffset createdAt, DateTimeOffset lastRefreshedAt, DateTimeOffset expiresAt, long generation, string? device)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentOutOfRangeException.ThrowIfNegative(generation);
        Id = id;
        UserId = userId;
        Secret = secret;
        CreatedAt = createdAt;
        LastRefreshedAt = lastRefreshedAt;
        ExpiresAt = expiresAt;
        Generation = generation;
        Device = device;
    }

    /// <summary>The session id (<c>sid</c>).</summary>
    public string Id { get; }

    /// <summary>The user (<c>sub</c>).</summary>
    public string UserId { get; }

    /// <summary>The session's secret: 32 random bytes, base64url. Secret: never log it.</summary>
    public string Secret { get; }

    /// <summary>When the user signed in.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When a refresh token of the session was last redeemed, or the sign-in.</summary>
    public DateTimeOffset LastRefreshedAt { get; }

    /// <summary>When the session ends, however often it is refreshed.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The generation of the refresh token the next redemption must present; each redemption adds one.</summary>
    public long Generation { get; }

    /// <summary>A short label of the device the session was started on.</summary>
    public string? Device { get; }

    /// <inheritdoc />
    public override string ToString() => $"UserKeyedSession(Id = {Id}, UserId = {UserId}, Generation = {Generation})";
}
