using System.Buffers.Text;
using System.Net;
using System.Text.Json;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>The session half of the contract: login pairs, refresh and the logouts. Status codes are never hidden.</summary>
public static class SessionApi
{
    public static async Task<TokenPair> LoginPairAsync(this Api api, TestUser user, string? userAgent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api.Identity}/login") { Content = System.Net.Http.Json.JsonContent.Create(new { email = user.Email, password = user.Password }) };
        if (userAgent is not null)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }

        using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TokenPair.ReadAsync(response);
    }

    public static async Task<(HttpStatusCode Status, TokenPair? Pair)> RefreshAsync(this Api api, string refreshToken)
    {
        using var response = await api.PostAsync($"{Api.Identity}/refresh", new { refreshToken });
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? await TokenPair.ReadAsync(response) : null);
    }

    /// <summary>Logs out every other session; the answer's body, which must hold no token, comes back as text.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> LogoutOthersAsync(this Api api, string accessToken)
    {
        using var response = await api.SendAsync(HttpMethod.Post, $"{Api.Identity}/logoutOthers", accessToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public static async Task<List<SessionView>> SessionsAsync(this Api api, string accessToken, string path = $"{Api.Identity}/manage/sessions")
    {
        using var response = await api.SendAsync(HttpMethod.Get, path, accessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await Api.JsonAsync(response)).EnumerateArray().Select(s => new SessionView(
            s.GetProperty("id").GetString()!,
            s.GetProperty("createdAt").GetDateTimeOffset(),
            s.GetProperty("lastUsedAt").GetDateTimeOffset(),
            s.GetProperty("device").ValueKind == JsonValueKind.Null ? null : s.GetProperty("device").GetString(),
            s.GetProperty("current").GetBoolean()))];
    }

    public static Task<HttpStatusCode> LogoutAsync(this Api api, string accessToken) => api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/logout", accessToken);

    public static Task<HttpStatusCode> LogoutAllAsync(this Api api, string accessToken) => api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/logoutAll", accessToken);
}

public sealed record SessionView(string Id, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, string? Device, bool Current);

/// <summary>MapIdentityApi's AccessTokenResponse. The refresh token's lifetime is not in it: read it from the token's claims.</summary>
public sealed record TokenPair(string Access, long ExpiresIn, string TokenType, string Refresh)
{
    /// <summary>The refresh token's lifetime in seconds, exp minus iat of its payload.</summary>
    public long RefreshExpiresIn
    {
        get
        {
            var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(Refresh.Split('.')[1])).RootElement;
            return payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64();
        }
    }

    public static async Task<TokenPair> ReadAsync(HttpResponseMessage response)
    {
        var json = await Api.JsonAsync(response);
        return new TokenPair(
            json.GetProperty("accessToken").GetString()!,
            json.GetProperty("expiresIn").GetInt64(),
            json.GetProperty("tokenType").GetString()!,
            json.GetProperty("refreshToken").GetString()!);
    }
}
