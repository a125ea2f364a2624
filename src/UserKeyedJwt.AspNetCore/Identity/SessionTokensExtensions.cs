using Microsoft.AspNetCore.Authentication.BearerToken;

namespace UserKeyedJwt.AspNetCore;

/// <summary>The token endpoint's answer for a session's pair.</summary>
public static class SessionTokensExtensions
{
    /// <summary>
    /// The answer of a login or refresh endpoint, as <c>MapIdentityApi</c> and <c>MapUserKeyedIdentityApi</c> give it:
    /// <c>{"tokenType":"Bearer","accessToken","expiresIn","refreshToken"}</c>, with <c>expiresIn</c> the access token's
    /// lifetime in whole seconds. Return it from a hand-written endpoint: <c>Results.Ok(tokens.ToAccessTokenResponse())</c>.
    /// </summary>
    /// <param name="tokens">The pair of <see cref="IUserSessionService{TUser}.SignInAsync"/> or of a refresh.</param>
    /// <returns>ASP.NET Core Identity's <see cref="AccessTokenResponse"/>; a client of <c>MapIdentityApi</c> reads it unchanged.</returns>
    public static AccessTokenResponse ToAccessTokenResponse(this SessionTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return new()
        {
            AccessToken = tokens.AccessToken.Token,
            ExpiresIn = (long)tokens.AccessToken.Lifetime.TotalSeconds,
            RefreshToken = tokens.RefreshToken.Token,
        };
    }
}
