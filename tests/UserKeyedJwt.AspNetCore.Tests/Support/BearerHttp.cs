using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>One request with an optional bearer token and JSON body: what every test client sends.</summary>
internal static class BearerHttp
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string? token, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
