using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>/refresh: MapIdentityApi's answers (ported from aspnetcore's MapIdentityApiTests), with rotation, reuse detection and 503.</summary>
public sealed class IdentityApiRefreshTests
{
    [Fact]
    public async Task Refresh_ReturnsAPairThatAuthenticates_AndTheSpentRefreshTokenIsRefused_UnlikeMapIdentityApi()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var first = await client.LoginPairAsync(email, password);

        using var response = await client.RefreshAsync(first.Refresh);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var second = await TokenPair.ReadAsync(response);

        Assert.Equal("Bearer", second.TokenType);
        Assert.Equal(600, second.ExpiresIn);
        Assert.NotEqual(first.Refresh, second.Refresh);
        Assert.NotEqual(first.Access, second.Access);
        using (var hello = await client.GetAsync("/auth/hello", second.Access))
        {
            Assert.Equal($"Hello, {email}!", await hello.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        // MapIdentityApi accepts a refresh token until it expires; this one was spent by its redemption.
        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(first.Refresh));
    }

    [Fact]
    public async Task Refresh_SpentTokenPresentedAgain_EndsTheWholeSession_AndNoOtherSession()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var stolen = await client.LoginPairAsync(email, password);
        var other = await client.LoginPairAsync(email, password);
        var legitimate = await ReadAsync(client.RefreshAsync(stolen.Refresh));
        var next = await ReadAsync(client.RefreshAsync(legitimate.Refresh));

        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(stolen.Refresh));

        Assert.Single(host.Logs.Entries, e => e.EventId.Name == "RefreshTokenReused");
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(next.Access));
        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(next.Refresh));
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(other.Access));
        await Asserts.OkAsync(client.RefreshAsync(other.Refresh));
    }

    [Fact]
    public async Task Refresh_NullOrEmptyRefreshToken_Returns401WithEmptyBody()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();

        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(null));
        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(string.Empty));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")]
    public async Task Refresh_HostileToken_Returns401WithEmptyBody(string refreshToken)
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();

        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(refreshToken));
    }

    [Fact]
    public async Task Refresh_WithAnAccessToken_Returns401()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);

        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(pair.Access));
        await Asserts.OkAsync(client.RefreshAsync(pair.Refresh));
    }

    [Fact]
    public async Task Refresh_AfterTheSecurityStampChanges_Returns401()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);

        Assert.True((await host.ChangeUserAsync(email, (users, user) => users.UpdateSecurityStampAsync(user))).Succeeded);

        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(pair.Refresh));
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(pair.Access));
    }

    [Fact]
    public async Task Refresh_ReadsTheUserFromTheStore_SoTheNewAccessTokenHasTheNewUserName()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);
        var newUserName = $"{Guid.NewGuid():N}@example.com";

        // A direct update: no stamp change, so the session lives on and only the claims differ.
        Assert.True((await host.ChangeUserAsync(email, (users, user) =>
        {
            user.UserName = newUserName;
            return users.UpdateAsync(user);
        })).Succeeded);

        var refreshed = await ReadAsync(client.RefreshAsync(pair.Refresh));
        using var hello = await client.GetAsync("/auth/hello", refreshed.Access);
        Assert.Equal($"Hello, {newUserName}!", await hello.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Refresh_RefreshTokenExpires_WhenTheInactivityTimeoutHasPassed_ButTheLatestOneStillRedeems()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var lifetime = TimeSpan.FromHours(1);
        await using var host = await IdentityApiHost.StartAsync(
            services: s =>
            {
                s.AddSingleton<TimeProvider>(clock);
                s.Configure<UserKeyedSessionOptions>(o => o.InactivityTimeout = lifetime);
            },
            jwt: static o => o.ClockSkew = TimeSpan.Zero);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var kept = await client.LoginPairAsync(email, password);
        var idle = await client.LoginPairAsync(email, password);

        clock.Advance(lifetime - TimeSpan.FromSeconds(1));
        var refreshed = await ReadAsync(client.RefreshAsync(kept.Refresh));

        // The access tokens of an hour ago expired long since.
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(kept.Access));
        clock.Advance(TimeSpan.FromSeconds(2));

        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(idle.Refresh));
        var latest = await ReadAsync(client.RefreshAsync(refreshed.Refresh));
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(latest.Access));
    }

    [Fact]
    public async Task Refresh_SessionStoreWriteFails_Returns503_AndTheSameRefreshTokenRedeemsAfterwards()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);

        host.Sessions.FailWrites = true;
        using (var unavailable = await client.RefreshAsync(pair.Refresh))
        {
            await Asserts.ProblemAsync(unavailable, "Try again later with the same refresh token.", "The session store is unavailable.", HttpStatusCode.ServiceUnavailable);
        }

        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
        host.Sessions.FailWrites = false;
        var next = await ReadAsync(client.RefreshAsync(pair.Refresh));
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(next.Access));
        await Asserts.UnauthorizedAndEmptyAsync(client.RefreshAsync(pair.Refresh));
    }

    private static async Task<TokenPair> ReadAsync(Task<HttpResponseMessage> send)
    {
        using var response = await send;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await TokenPair.ReadAsync(response);
    }
}
