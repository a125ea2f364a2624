using System.Net;
using System.Text.Json;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>A thin client for the sample's HTTP contract (/identity, /me, /admin). It never hides a status code: callers assert on it.</summary>
public sealed class Api(HttpClient http, Func<string, Task<string>> findUserId) : IDisposable
{
    public const string Identity = "/identity";

    private static int s_counter;

    public HttpClient Http => http;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A password that satisfies the sample's rules (10+ characters, upper, lower, digit, symbol).</summary>
    public static string NewPassword() => $"Pw-{Guid.NewGuid():N}"[..14] + "aA1!";

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Interlocked.Increment(ref s_counter)}-{Guid.NewGuid():N}@example.test";

    public async Task<TestUser> NewUserAsync(string prefix = "user")
    {
        var email = NewEmail(prefix);
        var password = NewPassword();
        using var response = await PostAsync($"{Identity}/register", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new TestUser(await findUserId(email), email, password);
    }

    public async Task<string> LoginAsync(string email, string password)
    {
        using var response = await PostAsync($"{Identity}/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("accessToken").GetString()!;
    }

    public Task<string> LoginAsync(TestUser user) => LoginAsync(user.Email, user.Password);

    public Task<string> LoginAdminAsync() => LoginAsync(SampleApp.AdminEmail, SampleApp.AdminPassword);

    public Task<HttpResponseMessage> PostAsync(string path, object? body, string? token = null) => SendAsync(HttpMethod.Post, path, token, body);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, object? body = null) =>
        BearerHttp.SendAsync(http, method, path, token, body);

    public async Task<HttpStatusCode> StatusAsync(HttpMethod method, string path, string? token = null, object? body = null)
    {
        using var response = await SendAsync(method, path, token, body);
        return response.StatusCode;
    }

    /// <summary>Asks for an email change through /manage/info: nothing changes until the mailed link is followed.</summary>
    public Task<HttpStatusCode> RequestEmailChangeAsync(string token, string newEmail) =>
        StatusAsync(HttpMethod.Post, $"{Identity}/manage/info", token, new { newEmail });

    /// <summary>Follows a link from a mail (absolute, to the app) with this client.</summary>
    public Task<HttpStatusCode> FollowAsync(string link) => StatusAsync(HttpMethod.Get, new Uri(link).PathAndQuery);

    /// <summary>Changes the password through /manage/info, which needs the current one.</summary>
    public Task<HttpStatusCode> ChangePasswordAsync(string token, string oldPassword, string newPassword) =>
        StatusAsync(HttpMethod.Post, $"{Identity}/manage/info", token, new { oldPassword, newPassword });

    public Task<HttpStatusCode> MeStatusAsync(string token) => StatusAsync(HttpMethod.Get, "/me", token);

    public async Task<JsonElement> MeAsync(string token)
    {
        using var response = await SendAsync(HttpMethod.Get, "/me", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();

    public void Dispose() => http.Dispose();
}

public sealed record TestUser(string Id, string Email, string Password);
