using System.Net;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>The session half of the contract: login pairs, refresh and the logouts. Status codes are never hidden.</summary>
public static class SessionApi
{
    public static async Task<TokenPair> LoginPairAsync(this Api api, TestUser user)
    {
        using var response = await api.PostAsync("/auth/login", new { email = user.Email, password = user.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TokenPair.ReadAsync(response);
    }

    public static async Task<(HttpStatusCode Status, TokenPair? Pair)> RefreshAsync(this Api api, string refreshToken)
    {
        using var response = await api.PostAsync("/auth/refresh", new { refreshToken });
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? await TokenPair.ReadAsync(response) : null);
    }

    public static async Task<(HttpStatusCode Status, TokenPair? Pair)> LogoutOthersAsync(this Api api, string accessToken)
    {
        using var response = await api.SendAsync(HttpMethod.Post, "/auth/logout-others", accessToken);
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? await TokenPair.ReadAsync(response) : null);
    }

    public static Task<HttpStatusCode> LogoutAsync(this Api api, string accessToken) => api.StatusAsync(HttpMethod.Post, "/auth/logout", accessToken);

    public static Task<HttpStatusCode> LogoutAllAsync(this Api api, string accessToken) => api.StatusAsync(HttpMethod.Post, "/auth/logout-all", accessToken);
}

public sealed record TokenPair(string Access, long ExpiresIn, string TokenType, string Refresh, long RefreshExpiresIn)
{
    public static async Task<TokenPair> ReadAsync(HttpResponseMessage response)
    {
        var json = await Api.JsonAsync(response);
        return new TokenPair(
            json.GetProperty("accessToken").GetString()!,
            json.GetProperty("expiresIn").GetInt64(),
            json.GetProperty("tokenType").GetString()!,
            json.GetProperty("refreshToken").GetString()!,
            json.GetProperty("refreshExpiresIn").GetInt64());
    }
}
