namespace UserKeyedJwt.AspNetCore.Sessions;

// The session endpoints' JSON bodies: {"refreshToken"} in, {"accessToken","expiresIn","tokenType","refreshToken","refreshExpiresIn"} out.
internal sealed record RefreshRequest(string? RefreshToken);

internal sealed record TokenPairResponse(string AccessToken, long ExpiresIn, string TokenType, string RefreshToken, long RefreshExpiresIn)
{
    public static TokenPairResponse From(SessionTokens tokens) =>
        new(tokens.AccessToken.Token, (long)tokens.AccessToken.Lifetime.TotalSeconds, "Bearer", tokens.RefreshToken.Token, (long)tokens.RefreshToken.Lifetime.TotalSeconds);
}
