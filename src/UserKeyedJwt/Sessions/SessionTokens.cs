using System.Text.Json.Serialization;
using UserKeyedJwt.Serialization;

namespace UserKeyedJwt;

/// <summary>An access token and a refresh token of one session, just issued. <see cref="ToString"/> never shows a token.</summary>
/// <remarks>
/// As JSON it is a token endpoint's answer, <c>{"tokenType":"Bearer","accessToken","expiresIn","refreshToken"}</c> (the
/// member names follow the serialiser's naming policy, as for ASP.NET Core Identity's <c>AccessTokenResponse</c>); the
/// session is never written, and it is never read from JSON.
/// </remarks>
[JsonConverter(typeof(SessionTokensJsonConverter))]
public sealed class SessionTokens
{
    internal SessionTokens(UserKeyedSession session, IssuedToken accessToken, IssuedToken refreshToken)
    {
        Session = session;
        AccessToken = accessToken;
        RefreshToken = refreshToken;
    }

    /// <summary>The session both tokens belong to.</summary>
    public UserKeyedSession Session { get; }

    /// <summary>The access token.</summary>
    public IssuedToken AccessToken { get; }

    /// <summary>The refresh token; it can be redeemed once.</summary>
    public IssuedToken RefreshToken { get; }

    /// <inheritdoc />
    public override string ToString() => $"SessionTokens(UserId = {Session.UserId}, SessionId = {Session.Id})";
}
