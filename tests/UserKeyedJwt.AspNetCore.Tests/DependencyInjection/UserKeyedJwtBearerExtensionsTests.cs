using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.AspNetCore.Tests.DependencyInjection;

/// <summary>The registration itself, on a plain service collection: the overload ladder, hardening, idempotence, refusals.</summary>
public sealed class UserKeyedJwtBearerExtensionsTests
{
    private static readonly string Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static TheoryData<string> Overloads => ["()", "(configure)", "(scheme, configure)", "(scheme, name, configure)"];

    [Theory]
    [MemberData(nameof(Overloads))]
    public async Task AddUserKeyedJwtBearer_EveryOverload_RegistersTheHardenedScheme(string overload)
    {
        var services = NewServices();
        var builder = services.AddAuthentication();
        var scheme = overload.Contains("scheme", StringComparison.Ordinal) ? "Custom" : UserKeyedJwtDefaults.AuthenticationScheme;
        var configureRan = false;
        Action<JwtBearerOptions> configure = o => configureRan = true;

        _ = overload switch
        {
            "()" => builder.AddUserKeyedJwtBearer(),
            "(configure)" => builder.AddUserKeyedJwtBearer(configure),
            "(scheme, configure)" => builder.AddUserKeyedJwtBearer(scheme, configure),
            _ => builder.AddUserKeyedJwtBearer(scheme, "Display", configure),
        };
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var options = provider.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(scheme);
        Assert.Same(provider.GetRequiredService<UserKeyedTokenHandler>(), Assert.Single(options.TokenHandlers));
        Assert.False(options.IncludeErrorDetails);
        Assert.False(options.MapInboundClaims);
        Assert.Equal([SecurityAlgorithms.HmacSha256], options.TokenValidationParameters.ValidAlgorithms);
        Assert.Equal("https://issuer.test", options.TokenValidationParameters.ValidIssuer);
        Assert.Equal(UserKeyedJwtDefaults.RoleClaimType, options.TokenValidationParameters.RoleClaimType);
        Assert.NotNull(options.TokenValidationParameters.IssuerSigningKeyResolver);
        Assert.Equal(overload != "()", configureRan);
        var registered = await provider.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(scheme);
        Assert.Equal(typeof(JwtBearerHandler), registered!.HandlerType);
        Assert.Equal(overload.Contains("name", StringComparison.Ordinal) ? "Display" : null, registered.DisplayName);
    }

    [Fact]
    public async Task AddUserKeyedJwtBearer_CalledTwiceForOneScheme_AddsItOnceAndAppliesBothDelegates()
    {
        var services = NewServices();
        services.AddAuthentication().AddUserKeyedJwtBearer(o => o.SaveToken = true);

        services.AddAuthentication().AddUserKeyedJwtBearer(o => o.Challenge = "Bearer realm=\"api\"");

        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(UserKeyedJwtDefaults.AuthenticationScheme);
        Assert.True(options.SaveToken);
        Assert.Equal("Bearer realm=\"api\"", options.Challenge);
        Assert.Single(options.TokenHandlers);
        Assert.Single(provider.GetRequiredService<IOptions<UserKeyedJwtOptions>>().Value.ServerSecrets);
        Assert.Single(await provider.GetRequiredService<IAuthenticationSchemeProvider>().GetAllSchemesAsync());
        Assert.Single(services, d => d.ServiceType == typeof(UserKeyedTokenHandler));
    }

    [Fact]
    public async Task AddUserKeyedJwtBearer_ApplicationKeysAndLaxParameters_AreReplacedByStrictOnes()
    {
        var services = NewServices();
        services.AddAuthentication().AddUserKeyedJwtBearer(o =>
        {
            o.TokenValidationParameters = new TokenValidationParameters
            {
                IssuerSigningKey = new SymmetricSecurityKey(new byte[32]),
                ValidateLifetime = false,
                ValidateIssuer = false,
                NameClaimType = "email",
            };
            o.TokenHandlers.Add(new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler());
        });
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(UserKeyedJwtDefaults.AuthenticationScheme);

        Assert.Null(options.TokenValidationParameters.IssuerSigningKey);
        Assert.True(options.TokenValidationParameters.ValidateLifetime);
        Assert.True(options.TokenValidationParameters.ValidateIssuer);
        Assert.Equal("email", options.TokenValidationParameters.NameClaimType);
        Assert.IsType<UserKeyedTokenHandler>(Assert.Single(options.TokenHandlers));
    }

    [Fact]
    public async Task AddUserKeyedJwtBearer_LaterPostConfigureWeakens_FailsValidationNamingEverySetting()
    {
        var services = NewServices();
        services.AddAuthentication().AddUserKeyedJwtBearer();
        services.PostConfigure<JwtBearerOptions>(UserKeyedJwtDefaults.AuthenticationScheme, o =>
        {
            o.IncludeErrorDetails = true;
            o.TokenHandlers.Add(new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler());
            o.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(new byte[32]);
        });
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(UserKeyedJwtDefaults.AuthenticationScheme));

        Assert.Contains(error.Failures, f => f.Contains("IncludeErrorDetails", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("TokenHandlers", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("TokenValidationParameters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddUserKeyedJwtBearer_OtherJwtBearerScheme_IsLeftAlone()
    {
        var services = NewServices();
        services.AddAuthentication().AddUserKeyedJwtBearer().AddJwtBearer("Plain", o => o.IncludeErrorDetails = true);
        await using var provider = services.BuildServiceProvider();

        var plain = provider.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get("Plain");

        Assert.True(plain.IncludeErrorDetails);
        Assert.IsNotType<UserKeyedTokenHandler>(Assert.Single(plain.TokenHandlers));
    }

    private static ServiceCollection NewServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IUserKeyInputsSource>(new InMemoryUserKeyInputsSource());
        services.AddUserKeyedJwt(Core);
        return services;
    }

    private static void Core(UserKeyedJwtOptions options)
    {
        options.Issuer = "https://issuer.test";
        options.Audience = "api.test";
        options.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = Secret });
    }
}
