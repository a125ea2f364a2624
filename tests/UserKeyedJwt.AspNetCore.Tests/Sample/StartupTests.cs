using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserKeyedJwt.AspNetCore.Tests.Support;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>How the sample starts: secrets, admin seeding, and registrations that must be harmless or must fail loudly.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Start_ProductionWithoutServerSecret_FailsNamingTheSetting()
    {
        await using var app = SampleApp.Create(environment: "Production", withServerSecret: false);

        var error = Assert.ThrowsAny<Exception>(() => app.Api());

        Assert.Contains("UserKeyedJwt:ServerSecrets:0:Secret", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(app.DevelopmentSecretPath));
        Assert.False(File.Exists(app.DatabasePath));
    }

    [Fact]
    public async Task Start_DevelopmentWithoutServerSecret_GeneratesKeepsAndReusesLocalSecret()
    {
        await using var first = SampleApp.Create(withServerSecret: false);
        using var api = first.Api();
        var token = await api.LoginAdminAsync();
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        var secret = (await File.ReadAllTextAsync(first.DevelopmentSecretPath, TestContext.Current.CancellationToken)).Trim();
        Assert.True(Convert.FromBase64String(secret).Length >= 32);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.DevelopmentSecretPath));
        }

        var warning = Assert.Single(first.Logs.Entries, e => e.EventId.Id == 9001);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.DoesNotContain(secret, warning.Text, StringComparison.Ordinal);

        // A restart (a second host on the same files) reads the same secret, so earlier tokens stay valid.
        await using var second = SampleApp.Create(withServerSecret: false, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:Sample"] = $"Data Source={first.DatabasePath}",
            ["Sample:DevelopmentSecretFile"] = first.DevelopmentSecretPath,
        });
        using var secondApi = second.Api();
        Assert.Equal(HttpStatusCode.OK, await secondApi.MeStatusAsync(token));
    }

    [Fact]
    public async Task Start_AdminNotConfigured_SeedsNoAdmin()
    {
        await using var app = SampleApp.Create(seedAdmin: false);
        using var api = app.Api();

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/login", body: new { email = SampleApp.AdminEmail, password = SampleApp.AdminPassword }));
        await using var scope = app.Services.CreateAsyncScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>().RoleExistsAsync("admin"));
    }

    [Fact]
    public async Task Start_AdminPasswordWithoutEmail_FailsNamingBothSettings()
    {
        await using var app = SampleApp.Create(seedAdmin: false, settings: new Dictionary<string, string?> { ["Sample:Admin:Password"] = SampleApp.AdminPassword });

        var error = Assert.ThrowsAny<Exception>(() => app.Api());

        Assert.Contains("Sample:Admin:Email", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RedisSetOnlyAfterProgramRegisteredItsServices_RefusesToStartWithoutTheInvalidationBus()
    {
        // A WebApplicationFactory's ConfigureAppConfiguration arrives after Program decided whether to register the bus:
        // the revocation list would be on Redis (chosen at run time) but other nodes' changes would go unseen here.
        await using var app = SampleApp.Create(settings: new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = "127.0.0.1:1" });

        var error = Assert.ThrowsAny<Exception>(() => app.Api());

        Assert.Contains("ConnectionStrings:Redis was set only after the services were registered", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddUserKeyedJwtBearer_CalledAgainOnTheSample_IsHarmless()
    {
        await using var app = SampleApp.Create(configureServices: services =>
        {
            services.AddAuthentication().AddUserKeyedJwtBearer();
            services.AddAuthentication().AddUserKeyedJwtBearer(UserKeyedJwtDefaults.AuthenticationScheme, _ => { });
            new IdentityBuilder(typeof(SampleUser), typeof(IdentityRole), services).AddUserKeyedJwt();
        });
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/roles/editor", await api.LoginAdminAsync()));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
        var bearer = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(UserKeyedJwtDefaults.AuthenticationScheme);
        Assert.Same(app.Services.GetRequiredService<UserKeyedTokenHandler>(), Assert.Single(bearer.TokenHandlers));
        var schemes = await app.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetAllSchemesAsync();
        Assert.Single(schemes, s => s.Name == UserKeyedJwtDefaults.AuthenticationScheme);
        Assert.Single(app.Services.GetServices<IUserKeyInputsSource>());
        Assert.Single(app.Services.GetServices<UserKeyedTokenHandler>());
        Assert.Single(app.Services.GetRequiredService<IOptions<UserKeyedJwtOptions>>().Value.ServerSecrets);
    }

    [Fact]
    public async Task AddUserKeyedJwt_AnotherUserManagerRegisteredLater_FailsStartupNamingTheFix()
    {
        await using var app = SampleApp.Create(configureServices: services =>
            new IdentityBuilder(typeof(SampleUser), typeof(IdentityRole), services).AddUserManager<UserManager<SampleUser>>());

        var error = Assert.ThrowsAny<Exception>(() => app.Api());

        Assert.Contains("UserKeyedUserManager<SampleUser>", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddUserKeyedJwtBearer_AuthorityConfigured_FailsStartupNamingTheSetting()
    {
        await using var app = SampleApp.Create(settings: new Dictionary<string, string?>
        {
            ["Authentication:Schemes:UserKeyedJwt:Authority"] = "https://login.example.test",
        });

        var error = Assert.ThrowsAny<Exception>(() => app.Api());

        Assert.Contains("Authority, MetadataAddress, Configuration and ConfigurationManager must not be set", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddUserKeyedJwtBearer_ApplicationEvents_StillRunAroundTheUniformChallenge()
    {
        // Production, with IncludeErrorDetails turned on by the app: the challenge still names no reason.
        await using var app = SampleApp.Create(environment: "Production", configureServices: services =>
            services.Configure<JwtBearerOptions>(UserKeyedJwtDefaults.AuthenticationScheme, options =>
            {
                options.Events.OnTokenValidated = context =>
                {
                    context.HttpContext.Response.Headers["X-Validated-Sub"] = context.Principal!.FindFirst("sub")!.Value;
                    return Task.CompletedTask;
                };
                options.Events.OnChallenge = context =>
                {
                    context.Response.Headers["X-App-Challenge"] = "seen";
                    return Task.CompletedTask;
                };
                options.IncludeErrorDetails = true;
            }));
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);

        using var ok = await api.SendAsync(HttpMethod.Get, "/me", token);
        using var rejected = await api.SendAsync(HttpMethod.Get, "/me", token + "x");

        Assert.Equal(user.Id, Assert.Single(ok.Headers.GetValues("X-Validated-Sub")));
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal("seen", Assert.Single(rejected.Headers.GetValues("X-App-Challenge")));
        Assert.Equal("Bearer error=\"invalid_token\"", Assert.Single(rejected.Headers.WwwAuthenticate).ToString());
    }
}
