using System.IdentityModel.Tokens.Jwt;
using System.Net;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests;

/// <summary>
/// The older handler path: JwtBearer with <c>UseSecurityTokenValidators = true</c> validates through
/// <see cref="JwtSecurityTokenHandler"/>, which calls the synchronous signing key resolver itself.
/// </summary>
public sealed class UserKeyedJwtBearerPrefetchTests
{
    [Fact]
    public async Task OnMessageReceived_UseSecurityTokenValidators_AcceptsCurrentTokenRejectsRevokedAndFailsClosedWithoutPrefetch()
    {
        await using var withPrefetch = SampleApp.Create(configureServices: services => UseOlderHandler(services, prefetch: true));
        using var api = withPrefetch.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        var bearer = withPrefetch.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<JwtBearerOptions>>().Get(UserKeyedJwtDefaults.AuthenticationScheme);
        Assert.True(bearer.UseSecurityTokenValidators);
#pragma warning disable CS0618 // SecurityTokenValidators is the older path under test.
        Assert.IsType<JwtSecurityTokenHandler>(Assert.Single(bearer.SecurityTokenValidators));
#pragma warning restore CS0618

        // Accepted: the prefetched key serves JwtSecurityTokenHandler's synchronous resolver call.
        var me = await api.MeAsync(token);
        Assert.Equal(user.Id, me.GetProperty("id").GetString());

        // Revoked: the password change rotates the key inputs; the prefetch finds a different fingerprint.
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/manage/info", token, new { oldPassword = user.Password, newPassword = user.Password + "2" }));
        using var revoked = await api.SendAsync(HttpMethod.Get, "/me", token);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        // In Development the prefetched reason reaches the challenge on this path too.
        Assert.Equal("Bearer error=\"invalid_token\", error_description=\"revoked: the user's key inputs changed since issuance\"", Assert.Single(revoked.Headers.WwwAuthenticate).ToString());
        var fresh = await api.LoginAsync(user.Email, user.Password + "2");
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(fresh));

        // Fail closed: the same valid token, through the same older handler on the same database, but with no prefetch.
        await using var withoutPrefetch = SampleApp.Create(
            settings: new Dictionary<string, string?>
            {
                ["ConnectionStrings:Sample"] = $"Data Source={withPrefetch.DatabasePath}",
                ["UserKeyedJwt:ServerSecrets:0:Secret"] = withPrefetch.ServerSecret,
            },
            configureServices: services => UseOlderHandler(services, prefetch: false));
        using var unprepared = withoutPrefetch.Api();
        Assert.Equal(HttpStatusCode.Unauthorized, await unprepared.MeStatusAsync(fresh));
        Assert.Contains(withoutPrefetch.Logs.Entries, e => e.EventId.Id == 2002);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(fresh));
    }

    [Fact]
    public async Task OnMessageReceived_StoreFailsWith503Configured_Returns503NotAuthenticated()
    {
        await using var app = SampleApp.Create(
            settings: new Dictionary<string, string?> { ["UserKeyedJwtBearer:StoreUnavailableStatusCode"] = "503" },
            configureServices: services => UseOlderHandler(services, prefetch: true));
        using var api = app.Api();
        var token = await api.LoginAsync(await api.NewUserAsync());

        await using (await Sample.StoreFailureTests.TakeUsersTableOfflineAsync(app))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await api.MeStatusAsync(token));
        }

        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }

    private static void UseOlderHandler(IServiceCollection services, bool prefetch) =>
        services.Configure<JwtBearerOptions>(UserKeyedJwtDefaults.AuthenticationScheme, options =>
        {
            options.UseSecurityTokenValidators = true;
            if (prefetch)
            {
                options.Events.OnMessageReceived = UserKeyedJwtBearerPrefetch.OnMessageReceived;
            }
        });
}
