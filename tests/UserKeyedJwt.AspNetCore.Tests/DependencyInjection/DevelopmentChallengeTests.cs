using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Internal;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.DependencyInjection;

/// <summary>
/// In the Development environment a rejected token's challenge names the reason in <c>error_description</c>; in any other
/// environment it names none, whatever the app configures.
/// </summary>
public sealed class DevelopmentChallengeTests
{
    private const string Revoked = "Bearer error=\"invalid_token\", error_description=\"revoked: the user's key inputs changed since issuance\"";

    [Fact]
    public async Task Challenge_DevelopmentRevokedToken_NamesTheReason()
    {
        await using var host = await IdentityApiHost.StartAsync(environment: "Development");
        using var client = host.Client();
        var pair = await LoginThenChangePasswordAsync(client);

        using var response = await client.GetAsync("/auth/hello", pair.Access);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(Revoked, Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Theory]
    [InlineData("not.a.token", "malformed: not a token this server issues (its shape, header, issuer or audience)")]
    [InlineData("refresh", "wrong purpose: a refresh token presented as an access token")]
    public async Task Challenge_DevelopmentOtherRejections_NameTheirReason(string token, string description)
    {
        await using var host = await IdentityApiHost.StartAsync(environment: "Development");
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);

        using var response = await client.GetAsync("/auth/hello", token == "refresh" ? pair.Refresh : token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task Challenge_DevelopmentWithoutToken_HasNoErrorAtAll()
    {
        await using var host = await IdentityApiHost.StartAsync(environment: "Development");
        using var client = host.Client();

        using var response = await client.GetAsync("/auth/hello");

        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Challenge_OutsideDevelopmentWithIncludeErrorDetailsSet_NamesNoReason(string environment)
    {
        await using var host = await IdentityApiHost.StartAsync(
            environment: environment,
            services: s => s.Configure<JwtBearerOptions>(UserKeyedJwtDefaults.AuthenticationScheme, o => o.IncludeErrorDetails = true));
        using var client = host.Client();
        var pair = await LoginThenChangePasswordAsync(client);

        using var revoked = await client.GetAsync("/auth/hello", pair.Access);
        using var malformed = await client.GetAsync("/auth/hello", "not.a.token");

        Assert.Equal("Bearer error=\"invalid_token\"", Assert.Single(revoked.Headers.WwwAuthenticate).ToString());
        Assert.Equal("Bearer error=\"invalid_token\"", Assert.Single(malformed.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public void Describe_EveryFailureReason_HasItsOwnQuotableText()
    {
        var descriptions = Enum.GetValues<TokenFailureReason>().Select(r => DevelopmentChallenge.Describe(r)).ToList();

        Assert.All(descriptions, d => Assert.False(string.IsNullOrEmpty(d)));

        // RFC 6750 section 3: error_description is %x20-21 / %x23-5B / %x5D-7E, no quote and no backslash.
        Assert.All(descriptions, d => Assert.All(d!, c => Assert.True(c is >= ' ' and <= '~' and not '"' and not '\\', d)));
        Assert.Equal(descriptions.Count, descriptions.Distinct(StringComparer.Ordinal).Count());
    }

    private static async Task<TokenPair> LoginThenChangePasswordAsync(IdentityApiClient client)
    {
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, await client.StatusAsync(HttpMethod.Post, "/identity/manage/info", pair.Access, new { oldPassword = password, newPassword = password + "2" }));
        return pair;
    }
}
