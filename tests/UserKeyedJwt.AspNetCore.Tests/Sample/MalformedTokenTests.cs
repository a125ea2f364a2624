using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>Whatever arrives in the Authorization header, the answer is a uniform 401: never a 500, and outside Development never a reason.</summary>
public sealed class MalformedTokenTests(ProductionSampleApp app) : IClassFixture<ProductionSampleApp>
{
    private const string InvalidTokenChallenge = "Bearer error=\"invalid_token\"";

    public static TheoryData<string, string> GarbageHeaders()
    {
        static string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
        static string RandomSegment(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = $"{{\"sub\":\"{Guid.NewGuid()}\",\"iss\":\"https://sample.userkeyedjwt.local\",\"aud\":\"userkeyedjwt-sample-api\",\"iat\":{now},\"exp\":{now + 600},\"role\":\"admin\"}}";

        return new TheoryData<string, string>
        {
            { "empty", "" },
            { "scheme only", "Bearer" },
            { "scheme and space", "Bearer " },
            { "other scheme", "Basic dXNlcjpwYXNzd29yZA==" },
            { "random string", "Bearer " + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)) },
            { "three random base64 segments", $"Bearer {RandomSegment(30)}.{RandomSegment(60)}.{RandomSegment(32)}" },
            { "alg none", $"Bearer {B64("{\"alg\":\"none\",\"typ\":\"at+jwt\"}")}.{B64(claims)}." },
            { "alg none with kid", $"Bearer {B64("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\"test.AAAA.BBBB\"}")}.{B64(claims)}." },
            { "HS256 under a guessed key", "Bearer " + SignWithGuessedKey(claims) },
            { "JSON that is no object", $"Bearer {B64("[]")}.{B64("42")}.{RandomSegment(32)}" },
            { "five segments (JWE shape)", $"Bearer {RandomSegment(20)}.{RandomSegment(20)}.{RandomSegment(12)}.{RandomSegment(40)}.{RandomSegment(16)}" },
            { "two segments", $"Bearer {RandomSegment(20)}.{RandomSegment(20)}" },
            { "oversized", "Bearer " + new string('a', 20_000) },
            { "not base64", "Bearer %%%.$$$.###" },
        };
    }

    [Theory]
    [MemberData(nameof(GarbageHeaders))]
    public async Task GetMe_GarbageAuthorizationHeader_Returns401NotServerError(string name, string header)
    {
        using var api = app.Api();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await api.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {(int)response.StatusCode}");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate).ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.Ordinal) && header.Trim().Length > "Bearer".Length;
        Assert.Equal(presented ? InvalidTokenChallenge : "Bearer", challenge);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GetMe_TamperedPayloadOfRealToken_Returns401WithoutErrorDescription()
    {
        using var api = app.Api();
        var token = await api.LoginAsync(await api.NewUserAsync());
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("\"jti\"", "\"role\":\"admin\",\"jti\"", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        using var response = await api.SendAsync(HttpMethod.Get, "/me", tampered);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(InvalidTokenChallenge, Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task GetMe_RealTokenWithAlgNone_Returns401()
    {
        using var api = app.Api();
        var token = await api.LoginAsync(await api.NewUserAsync());
        var parts = token.Split('.');
        var header = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])).Replace("HS256", "none", StringComparison.Ordinal);

        using var response = await api.SendAsync(HttpMethod.Get, "/me", $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header))}.{parts[1]}.");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(InvalidTokenChallenge, Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task GetMe_RevokedToken_ResponseCarriesNoReasonButLogsDo()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/revoke", await api.LoginAdminAsync()));

        using var response = await api.SendAsync(HttpMethod.Get, "/me", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate).ToString();
        Assert.Equal(InvalidTokenChallenge, challenge);
        Assert.DoesNotContain("Revoked", challenge, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 1003 && e.Text.Contains(user.Id, StringComparison.Ordinal) && e.Text.Contains(nameof(TokenFailureReason.KeyInputsChanged), StringComparison.Ordinal));
    }

    private static string SignWithGuessedKey(string claims)
    {
        var handler = new JsonWebTokenHandler();
        var key = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]) { KeyId = "test.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA" };
        return handler.CreateToken(claims, new Microsoft.IdentityModel.Tokens.SigningCredentials(key, "HS256"), new Dictionary<string, object> { ["typ"] = "at+jwt" });
    }
}
