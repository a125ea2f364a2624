using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.DependencyInjection;

/// <summary>
/// The wiring mistakes that used to fail silently or with a message naming no fix: a missing <c>.AddUserKeyedJwt()</c> on
/// the Identity builder, a default scheme that is not ours, and <c>UseAuthorization()</c> before <c>UseAuthentication()</c>.
/// Each runs in a real WebApplication on a test server, with every log line captured.
/// </summary>
public sealed class WiringDiagnosticsTests
{
    private const int DefaultSchemeNotUserKeyed = 2201;
    private const int BearerTokenNotAuthenticated = 2202;

    private static readonly string Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, bool> DefaultSchemes => new()
    {
        { "AddIdentity's cookie", true },
        { "AddJwtBearer as the default", true },
        { "no default among two schemes", true },
        { "ours only", false },
        { "ours as the default beside JwtBearer", false },
        { "a policy scheme", false },
        { "a cookie that forwards by selector", false },
        { "the default policy names ours", false },
    };

    [Fact]
    public async Task StartAsync_IdentityBuilderWithoutAddUserKeyedJwt_FailsNamingTheCall()
    {
        var builder = NewBuilder(withSource: false);
        builder.Services.AddIdentityCore<IdentityUser>();
        builder.Services.AddAuthentication().AddUserKeyedJwtBearer();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync(Ct));

        Assert.Contains("No IUserKeyInputsSource is registered", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddIdentityCore<TUser>().AddUserKeyedJwt()", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DefaultSchemes))]
    public async Task StartAsync_DefaultAuthenticateScheme_WarnsOnlyWhenItCannotReachOurs(string setup, bool warns)
    {
        var builder = NewBuilder();
        var services = builder.Services;
        switch (setup)
        {
            case "AddIdentity's cookie":
                services.AddIdentity<IdentityUser, IdentityRole>();
                services.AddAuthentication().AddUserKeyedJwtBearer();
                break;
            case "AddJwtBearer as the default":
                services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer().AddUserKeyedJwtBearer();
                break;
            case "no default among two schemes":
                services.AddAuthentication().AddJwtBearer().AddUserKeyedJwtBearer();
                break;
            case "ours only":
                services.AddAuthentication().AddUserKeyedJwtBearer();
                break;
            case "ours as the default beside JwtBearer":
                services.AddAuthentication(UserKeyedJwtDefaults.AuthenticationScheme).AddJwtBearer().AddUserKeyedJwtBearer();
                break;
            case "a policy scheme":
                services.AddAuthentication("Either")
                    .AddPolicyScheme("Either", null, o => o.ForwardDefaultSelector = _ => UserKeyedJwtDefaults.AuthenticationScheme)
                    .AddCookie()
                    .AddUserKeyedJwtBearer();
                break;
            case "a cookie that forwards by selector":
                services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
                    .AddCookie(o => o.ForwardDefaultSelector = c => c.Request.Headers.Authorization.Count > 0 ? UserKeyedJwtDefaults.AuthenticationScheme : null)
                    .AddUserKeyedJwtBearer();
                break;
            default:
                services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie().AddUserKeyedJwtBearer();
                services.AddAuthorizationBuilder().SetDefaultPolicy(new AuthorizationPolicyBuilder(UserKeyedJwtDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
                break;
        }

        await using var app = builder.Build();
        await app.StartAsync(Ct);

        var warnings = Logs(app).Entries.Where(e => e.EventId.Id == DefaultSchemeNotUserKeyed).ToList();
        Assert.Equal(warns ? 1 : 0, warnings.Count);
        if (warns)
        {
            Assert.Equal(LogLevel.Warning, warnings[0].Level);
            Assert.Contains("AddAuthentication(UserKeyedJwtDefaults.AuthenticationScheme)", warnings[0].Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StartAsync_AddIdentityCookieDefault_WarningNamesTheCookieScheme()
    {
        var builder = NewBuilder();
        builder.Services.AddIdentity<IdentityUser, IdentityRole>();
        builder.Services.AddAuthentication().AddUserKeyedJwtBearer();
        await using var app = builder.Build();

        await app.StartAsync(Ct);

        var warning = Assert.Single(Logs(app).Entries, e => e.EventId.Id == DefaultSchemeNotUserKeyed);
        Assert.Contains($"is {IdentityConstants.ApplicationScheme}, not the UserKeyedJwt scheme {UserKeyedJwtDefaults.AuthenticationScheme}", warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_UseAuthorizationBeforeUseAuthentication_WarnsOnceForBearerRequests()
    {
        var builder = NewBuilder();
        builder.Services.AddAuthentication().AddUserKeyedJwtBearer();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.UseAuthorization();
        app.UseAuthentication();
        app.MapGet("/hello", () => "hello").RequireAuthorization();
        await app.StartAsync(Ct);
        using var http = app.GetTestClient();
        var token = IssueToken(app);

        using var anonymous = await BearerHttp.SendAsync(http, HttpMethod.Get, "/hello", null, null);
        Assert.DoesNotContain(Logs(app).Entries, e => e.EventId.Id == BearerTokenNotAuthenticated);
        using var first = await BearerHttp.SendAsync(http, HttpMethod.Get, "/hello", token, null);
        using var second = await BearerHttp.SendAsync(http, HttpMethod.Get, "/hello", token, null);

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        var warning = Assert.Single(Logs(app).Entries, e => e.EventId.Id == BearerTokenNotAuthenticated);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("UseAuthentication() before app.UseAuthorization()", warning.Text, StringComparison.Ordinal);
        Assert.Contains("/hello", warning.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, warning.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_RightOrderWithValidAndRejectedTokens_DoesNotWarn()
    {
        var builder = NewBuilder();
        builder.Services.AddAuthentication().AddUserKeyedJwtBearer();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/hello", () => "hello").RequireAuthorization();
        await app.StartAsync(Ct);
        using var http = app.GetTestClient();
        var token = IssueToken(app);

        using var valid = await BearerHttp.SendAsync(http, HttpMethod.Get, "/hello", token, null);
        using var rejected = await BearerHttp.SendAsync(http, HttpMethod.Get, "/hello", token[..^2] + "AA", null);
        using var garbage = await BearerHttp.SendAsync(http, HttpMethod.Get, "/hello", "not.a.token", null);

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.DoesNotContain(Logs(app).Entries, e => e.EventId.Id is BearerTokenNotAuthenticated or DefaultSchemeNotUserKeyed);
    }

    private static WebApplicationBuilder NewBuilder(bool withSource = true)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        var logs = new CapturedLogs();
        builder.Services.AddSingleton(logs);
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        if (withSource)
        {
            var users = new InMemoryUserKeyInputsSource();
            users.Set(new UserKeyInputs("alice", "stamp-1", "hash-1"));
            builder.Services.AddSingleton<IUserKeyInputsSource>(users);
        }

        builder.Services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://diagnostics.test";
            o.Audience = "diagnostics-tests";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = Secret });
        });
        return builder;
    }

    private static CapturedLogs Logs(WebApplication app) => app.Services.GetRequiredService<CapturedLogs>();

    private static string IssueToken(WebApplication app) =>
        app.Services.GetRequiredService<UserKeyedTokenIssuer>().Issue(new UserKeyInputs("alice", "stamp-1", "hash-1")).Token;
}
