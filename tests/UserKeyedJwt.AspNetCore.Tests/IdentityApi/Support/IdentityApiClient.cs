using System.Net;
using System.Text.Json;

using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

/// <summary>A thin client of the Identity API under <c>/identity</c>. It never hides a status code: callers assert on it.</summary>
public sealed class IdentityApiClient(HttpClient http, IdentityApiHost host) : IDisposable
{
    public const string Prefix = "/identity";

    public HttpClient Http => http;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new address and a password that meets Identity's default rules; the password goes on the log-scan list.</summary>
    public (string Email, string Password) NewCredentials()
    {
        var password = $"Pw-{Guid.NewGuid():N}"[..16] + "aA1!";
        host.Secrets.Enqueue(password);
        return ($"{Guid.NewGuid():N}@example.com", password);
    }

    public async Task<(string Email, string Password)> RegisterAsync(string prefix = Prefix)
    {
        var (email, password) = NewCredentials();
        using var response = await PostAsync($"{prefix}/register", new { email, password });
        Asserts.OkAndEmpty(response);
        return (email, password);
    }

    public Task<HttpResponseMessage> LoginAsync(string email, string password, object? extra = null, string prefix = Prefix) =>
        PostAsync($"{prefix}/login", extra is null ? new { email, password } : Merge(new { email, password }, extra));

    public async Task<TokenPair> LoginPairAsync(string email, string password, object? extra = null, string prefix = Prefix)
    {
        using var response = await LoginAsync(email, password, extra, prefix);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TokenPair.ReadAsync(response);
    }

    public Task<HttpResponseMessage> RefreshAsync(string? refreshToken) => PostAsync($"{Prefix}/refresh", new { refreshToken });

    public Task<HttpResponseMessage> PostAsync(string path, object? body, string? token = null) => SendAsync(HttpMethod.Post, path, token, body);

    public Task<HttpResponseMessage> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, token);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, object? body = null) =>
        BearerHttp.SendAsync(http, method, path, token, body);

    public async Task<HttpStatusCode> StatusAsync(HttpMethod method, string path, string? token = null, object? body = null)
    {
        using var response = await SendAsync(method, path, token, body);
        return response.StatusCode;
    }

    /// <summary>The status of a request to a route that needs any authenticated user: does <paramref name="accessToken"/> still work?</summary>
    public Task<HttpStatusCode> HelloStatusAsync(string accessToken) => StatusAsync(HttpMethod.Get, "/auth/hello", accessToken);

    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, string? token = null, object? body = null)
    {
        using var response = await SendAsync(method, path, token, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();

    public void Dispose() => http.Dispose();

    private static Dictionary<string, object?> Merge(object first, object second)
    {
        var merged = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var part in new[] { first, second })
        {
            foreach (var property in part.GetType().GetProperties())
            {
                merged[property.Name] = property.GetValue(part);
            }
        }

        return merged;
    }
}

public sealed record TokenPair(string Access, string Refresh, long ExpiresIn, string TokenType)
{
    public static async Task<TokenPair> ReadAsync(HttpResponseMessage response)
    {
        var json = await IdentityApiClient.ReadJsonAsync(response);
        return new TokenPair(
            json.GetProperty("accessToken").GetString()!,
            json.GetProperty("refreshToken").GetString()!,
            json.GetProperty("expiresIn").GetInt64(),
            json.GetProperty("tokenType").GetString()!);
    }
}
