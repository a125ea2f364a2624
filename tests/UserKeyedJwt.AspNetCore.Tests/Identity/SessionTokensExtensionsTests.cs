using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Identity;

/// <summary>
/// What the public types of a sign-in give a JSON serialiser: the pair flat, as MapIdentityApi answers it, enums by name, and
/// nothing that carries key material.
/// </summary>
public sealed class SessionTokensExtensionsTests
{
    public static TheoryData<string> Serialisers => ["web", "default"];

    [Theory]
    [MemberData(nameof(Serialisers))]
    public async Task ToAccessTokenResponse_OfASignIn_IsTheJsonOfTheSessionTokensThemselves(string serialiser)
    {
        var options = serialiser == "web" ? JsonSerializerOptions.Web : JsonSerializerOptions.Default;
        await using var host = await IdentityApiHost.StartAsync();
        var tokens = await SignInAsync(host);

        var pair = JsonSerializer.Serialize(tokens.ToAccessTokenResponse(), options);

        Assert.Equal(pair, JsonSerializer.Serialize(tokens, options));
        Assert.Equal(
            serialiser == "web"
                ? $$"""{"tokenType":"Bearer","accessToken":"{{tokens.AccessToken.Token}}","expiresIn":600,"refreshToken":"{{tokens.RefreshToken.Token}}"}"""
                : $$"""{"TokenType":"Bearer","AccessToken":"{{tokens.AccessToken.Token}}","ExpiresIn":600,"RefreshToken":"{{tokens.RefreshToken.Token}}"}""",
            pair);
        Assert.DoesNotContain(tokens.Session.Secret, pair, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssuedToken_Serialised_NamesItsPurpose_NotANumber()
    {
        await using var host = await IdentityApiHost.StartAsync();
        var tokens = await SignInAsync(host);

        var access = JsonDocument.Parse(JsonSerializer.Serialize(tokens.AccessToken, JsonSerializerOptions.Web)).RootElement;
        var refresh = JsonDocument.Parse(JsonSerializer.Serialize(tokens.RefreshToken, JsonSerializerOptions.Web)).RootElement;

        Assert.Equal("Access", access.GetProperty("purpose").GetString());
        Assert.Equal("Refresh", refresh.GetProperty("purpose").GetString());
        Assert.Equal("\"KeyInputsChanged\"", JsonSerializer.Serialize(TokenFailureReason.KeyInputsChanged));
        Assert.Equal("\"LogoutAll\"", JsonSerializer.Serialize(SessionEndReason.LogoutAll));
    }

    [Fact]
    public async Task KeyMaterial_Serialised_Throws_AndShowsNoSecret()
    {
        await using var host = await IdentityApiHost.StartAsync();
        var session = (await SignInAsync(host)).Session;
        var inputs = new UserKeyInputs("ada", securityStamp: "stamp-secret", passwordHash: "hash-secret");
        var secret = new ServerSecretOptions { Id = "2026-11", Secret = host.ServerSecret };
        var options = new UserKeyedJwtOptions { Issuer = "i", Audience = "a" };
        options.ServerSecrets.Add(secret);

        foreach (var value in new object[] { session, inputs, secret, options, new { session } })
        {
            var thrown = Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(value, JsonSerializerOptions.Web));
            Assert.Contains("carries key material", thrown.Message, StringComparison.Ordinal);
            foreach (var material in new[] { session.Secret, "stamp-secret", "hash-secret", host.ServerSecret })
            {
                Assert.DoesNotContain(material, thrown.ToString(), StringComparison.Ordinal);
            }
        }

        Assert.Throws<NotSupportedException>(() => JsonSerializer.Deserialize<ServerSecretOptions>("""{"id":"x","secret":"y"}"""));
    }

    private static async Task<SessionTokens> SignInAsync(IdentityApiHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = new IdentityUser("ada@example.com") { Email = "ada@example.com" };
        Assert.True((await users.CreateAsync(user, "Analytical-Engine-1843")).Succeeded);
        return await scope.ServiceProvider.GetRequiredService<IUserSessionService<IdentityUser>>().SignInAsync(user, "tests", TestContext.Current.CancellationToken);
    }
}
