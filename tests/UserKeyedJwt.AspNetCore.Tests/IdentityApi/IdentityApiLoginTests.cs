using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Net.Http.Headers;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>/login: MapIdentityApi's answers (ported from aspnetcore's MapIdentityApiTests), lockout, and bearer tokens only.</summary>
public sealed class IdentityApiLoginTests
{
    [Fact]
    public async Task Login_UnregisteredUser_ReturnsFailed()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = client.NewCredentials();

        await Asserts.ProblemAsync(client.LoginAsync(email, password), "Failed");
    }

    [Fact]
    public async Task Login_WrongPassword_ReturnsFailed()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, _) = await client.RegisterAsync();

        await Asserts.ProblemAsync(client.LoginAsync(email, "wrong"), "Failed");
    }

    [Fact]
    public async Task Login_RightPassword_ReturnsBearerTokensThatAuthenticate_AndNoCookie()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        using var response = await client.LoginAsync(email, password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains(HeaderNames.SetCookie));
        var pair = await TokenPair.ReadAsync(response);
        Assert.Equal("Bearer", pair.TokenType);

        // UserKeyedJwt's default access-token lifetime, 10 minutes, where MapIdentityApi's bearer tokens last an hour.
        Assert.Equal(600, pair.ExpiresIn);
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", pair.Access);
        Assert.Equal($"Hello, {email}!", await client.Http.GetStringAsync("/auth/hello", TestContext.Current.CancellationToken));

        // The refresh token is a credential for /refresh only, never for the API.
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(pair.Refresh));
    }

    [Fact]
    public async Task Login_SnakeCaseJsonOptions_ShapeTheTokenResponse()
    {
        await using var host = await IdentityApiHost.StartAsync(services: s => s.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower));
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        using var response = await client.LoginAsync(email, password);
        var json = await IdentityApiClient.ReadJsonAsync(response);

        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(600, json.GetProperty("expires_in").GetInt64());
        Assert.True(json.TryGetProperty("refresh_token", out _));
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(json.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Login_AccessToken_ExpiresWhenExpiresInSays()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var host = await IdentityApiHost.StartAsync(
            services: s => s.AddSingleton<TimeProvider>(clock),
            jwt: o =>
            {
                o.AccessTokenLifetime = TimeSpan.FromSeconds(42);
                o.ClockSkew = TimeSpan.Zero;
            });
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var pair = await client.LoginPairAsync(email, password);

        Assert.Equal(42, pair.ExpiresIn);
        clock.Advance(TimeSpan.FromSeconds(41));
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(pair.Access));
    }

    [Theory]
    [InlineData("useCookies")]
    [InlineData("useSessionCookies")]
    public async Task Login_CookiesRequested_Returns400NamingTheParameter_UnlikeMapIdentityApi(string parameter)
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        host.Hashes.Reset();

        using var response = await client.PostAsync($"/identity/login?{parameter}=true", new { email, password });

        await Asserts.ProblemAsync(
            response,
            detail: $"The {parameter} query parameter is not supported: this API issues bearer tokens only. Log in without it and send the access token as 'Authorization: Bearer'.",
            title: "Cookies are not supported.",
            status: HttpStatusCode.BadRequest);
        Assert.False(response.Headers.Contains(HeaderNames.SetCookie));
        Assert.Equal(0, host.Hashes.Total);
        using var falseIsFine = await client.PostAsync($"/identity/login?{parameter}=false", new { email, password });
        Assert.Equal(HttpStatusCode.OK, falseIsFine.StatusCode);
    }

    [Fact]
    public async Task Login_MaxFailedAttempts_LocksOut_AndTheRightPasswordIsThenRefused()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: o => o.Lockout.MaxFailedAccessAttempts = 2);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        await Asserts.ProblemAsync(client.LoginAsync(email, "wrong"), "Failed");
        await Asserts.ProblemAsync(client.LoginAsync(email, "wrong"), "LockedOut");
        Assert.Single(host.Logs.Entries, e => e.EventId.Id == 2103 && e.EventId.Name == "IdentityApiUserLockedOut");

        await Asserts.ProblemAsync(client.LoginAsync(email, password), "LockedOut");
    }

    [Fact]
    public async Task Login_LockoutNotAllowedForNewUsers_NeverLocksOut()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: o =>
        {
            o.Lockout.AllowedForNewUsers = false;
            o.Lockout.MaxFailedAccessAttempts = 1;
        });
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        await Asserts.ProblemAsync(client.LoginAsync(email, "wrong"), "Failed");

        Assert.DoesNotContain(host.Logs.Entries, e => e.EventId.Id == 2103);
        await Asserts.OkAsync(client.LoginAsync(email, password));
    }

    [Fact]
    public async Task Login_RightPassword_ResetsTheFailedCount()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: o => o.Lockout.MaxFailedAccessAttempts = 2);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        await Asserts.ProblemAsync(client.LoginAsync(email, "wrong"), "Failed");
        await Asserts.OkAsync(client.LoginAsync(email, password));

        Assert.Equal(0, await host.WithUserAsync(email, (users, user) => users.GetAccessFailedCountAsync(user)));
        await Asserts.ProblemAsync(client.LoginAsync(email, "wrong"), "Failed");
    }

    [Fact]
    public async Task Hello_NoOrEmptyBearerToken_Returns401WithEmptyBody()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();

        Asserts.UnauthorizedAndEmpty(await client.Http.GetAsync("/auth/hello", TestContext.Current.CancellationToken));
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer");
        Asserts.UnauthorizedAndEmpty(await client.Http.GetAsync("/auth/hello", TestContext.Current.CancellationToken));
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", string.Empty);
        Asserts.UnauthorizedAndEmpty(await client.Http.GetAsync("/auth/hello", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Login_PasswordLongerThanTheMaximum_FailsWithoutHashing()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, _) = await client.RegisterAsync();
        host.Hashes.Reset();

        await Asserts.ProblemAsync(client.LoginAsync(email, IdentityApiRegisterTests.Password(1024 * 1024)), "Failed");

        Assert.Equal(0, host.Hashes.Total);
        Assert.Equal(0, await host.WithUserAsync(email, (users, user) => users.GetAccessFailedCountAsync(user)));
    }

    [Fact]
    public async Task Login_ByUserName_FindsTheUser_AsSignInManagerDoes()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var userName = $"name-{Guid.NewGuid():N}";
        Assert.True((await host.ChangeUserAsync(email, (users, user) => users.SetUserNameAsync(user, userName))).Succeeded);

        await Asserts.OkAsync(client.LoginAsync(userName, password));
        await Asserts.ProblemAsync(client.LoginAsync(email, password), "Failed");
    }

    [Fact]
    public async Task Login_UserWithoutPassword_FailsAfterOneHash()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        Assert.True((await host.ChangeUserAsync(email, (users, user) => users.RemovePasswordAsync(user))).Succeeded);
        host.Hashes.Reset();

        await Asserts.ProblemAsync(client.LoginAsync(email, password), "Failed");

        Assert.Equal(1, host.Hashes.Verifications);
    }

    [Fact]
    public async Task Login_LockedOutUser_StillVerifiesThePassword_AndDoesNotExtendTheLockout()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: o => o.Lockout.MaxFailedAccessAttempts = 1);
        using var client = host.Client();
        var (email, _) = await client.RegisterAsync();
        await Asserts.ProblemAsync(client.LoginAsync(email, "wrong"), "LockedOut");
        var lockoutEnd = await host.WithUserAsync(email, (users, user) => users.GetLockoutEndDateAsync(user));
        host.Hashes.Reset();

        await Asserts.ProblemAsync(client.LoginAsync(email, "wrong again"), "LockedOut");

        Assert.Equal(1, host.Hashes.Verifications);
        Assert.Equal(lockoutEnd, await host.WithUserAsync(email, (users, user) => users.GetLockoutEndDateAsync(user)));
    }

    [Fact]
    public async Task Login_UnknownUserWrongPasswordAndSuccess_EachCostOnePasswordHash()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        // The decoy hash is made once, at the first unknown user; after that every outcome verifies exactly one hash.
        await Asserts.ProblemAsync(client.LoginAsync(client.NewCredentials().Email, password), "Failed");
        foreach (var (login, expected) in new (string Email, string? Detail)[] { (client.NewCredentials().Email, "Failed"), (email, "Failed"), (email, null) })
        {
            host.Hashes.Reset();
            using var response = await client.LoginAsync(login, expected is null ? password : "wrong");
            if (expected is null)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            else
            {
                await Asserts.ProblemAsync(response, expected);
            }

            Assert.Equal((0, 1), (host.Hashes.Hashes, host.Hashes.Verifications));
        }
    }

    [Fact]
    public async Task Login_NotAllowedUser_StillVerifiesThePassword()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.SignIn.RequireConfirmedEmail = true);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        host.Hashes.Reset();

        await Asserts.ProblemAsync(client.LoginAsync(email, password), "NotAllowed");

        Assert.Equal((0, 1), (host.Hashes.Hashes, host.Hashes.Verifications));
    }
}
