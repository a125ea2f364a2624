namespace UserKeyedJwt.AspNetCore;

/// <summary>A session as a sessions list shows it: never its secret.</summary>
/// <param name="Id">The session id.</param>
/// <param name="CreatedAt">When the user signed in.</param>
/// <param name="LastUsedAt">When a refresh token of the session was last redeemed, or the sign-in.</param>
/// <param name="Device">The device label given at sign-in.</param>
/// <param name="Current">Whether the request that asked belongs to this session.</param>
public sealed record UserSessionInfo(string Id, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, string? Device, bool Current);
