using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Identity;

/// <summary>
/// <c>UserManager.GetUserId</c> and <c>GetUserAsync</c> find the caller of a UserKeyedJwt access token, in hand-written
/// endpoints and in MapIdentityApi's own handler shape, though the token names its user in <c>sub</c> and inbound claim
/// mapping is off.
/// </summary>
public sealed class IdentityUserIdTests
{
    public static TheoryData<string> UserIdClaimTypes => ["default", "sub", "uid"];

    [Theory]
    [MemberData(nameof(UserIdClaimTypes))]
    public async Task GetUserIdAndGetUserAsync_AccessToken_FindTheCaller(string userIdClaimType)
    {
        await using var host = await IdentityApiHost.StartAsync(
            identity: o => o.ClaimsIdentity.UserIdClaimType = userIdClaimType == "default" ? o.ClaimsIdentity.UserIdClaimType : userIdClaimType,
            map: MapCallerEndpoints);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);
        var userId = await host.WithUserAsync(email, (users, user) => users.GetUserIdAsync(user));

        Assert.Equal(userId, await TextAsync(client, "/caller/id", pair.Access));
        Assert.Equal(email, await TextAsync(client, "/caller/email", pair.Access));
        var info = await client.JsonAsync(HttpMethod.Get, "/caller/info", pair.Access);
        Assert.Equal(email, info.GetProperty("email").GetString());
        var manageInfo = await client.JsonAsync(HttpMethod.Get, "/identity/manage/info", pair.Access);
        Assert.Equal(email, manageInfo.GetProperty("email").GetString());
    }

    [Fact]
    public async Task GetUserId_TokenCarriesAStoredNameIdentifierClaim_IsTheSignedSubject()
    {
        await using var host = await IdentityApiHost.StartAsync(map: MapCallerEndpoints);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var (victim, _) = await client.RegisterAsync();
        var victimId = await host.WithUserAsync(victim, (users, user) => users.GetUserIdAsync(user));
        await host.ChangeUserAsync(email, (users, user) => users.AddClaimAsync(user, new Claim(ClaimTypes.NameIdentifier, victimId)));
        var pair = await client.LoginPairAsync(email, password);

        var userId = await host.WithUserAsync(email, (users, user) => users.GetUserIdAsync(user));
        Assert.Equal(userId, await TextAsync(client, "/caller/id", pair.Access));
        Assert.Equal(email, await TextAsync(client, "/caller/email", pair.Access));
    }

    private static void MapCallerEndpoints(WebApplication app)
    {
        app.MapGet("/caller/id", (ClaimsPrincipal principal, UserManager<IdentityUser> users) => users.GetUserId(principal) ?? "(none)").RequireAuthorization();
        app.MapGet("/caller/email", async (ClaimsPrincipal principal, UserManager<IdentityUser> users) =>
            await users.GetUserAsync(principal) is { } user ? Results.Text(user.Email) : Results.NotFound()).RequireAuthorization();

        // MapIdentityApi's GET /manage/info, as aspnetcore writes it.
        app.MapGet("/caller/info", async Task<IResult> (ClaimsPrincipal claimsPrincipal, UserManager<IdentityUser> userManager) =>
        {
            if (await userManager.GetUserAsync(claimsPrincipal) is not { } user)
            {
                return TypedResults.NotFound();
            }

            return TypedResults.Ok(new { email = await userManager.GetEmailAsync(user), isEmailConfirmed = await userManager.IsEmailConfirmedAsync(user) });
        }).RequireAuthorization();
    }

    private static async Task<string> TextAsync(IdentityApiClient client, string path, string token)
    {
        using var response = await client.GetAsync(path, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}
