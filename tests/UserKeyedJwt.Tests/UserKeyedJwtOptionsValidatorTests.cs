using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests;

public class UserKeyedJwtOptionsValidatorTests
{
    private static UserKeyedJwtOptions Valid()
    {
        var o = new UserKeyedJwtOptions { Issuer = "https://issuer", Audience = "api" };
        o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = CoreFixture.NewSecret() });
        return o;
    }

    [Fact]
    public void Validate_DefaultsWithOneSecret_Succeed() =>
        Assert.True(new UserKeyedJwtOptionsValidator().Validate(null, Valid()).Succeeded);

    public static TheoryData<string, string> Problems => new()
    {
        { "empty-ring", "UserKeyedJwt:ServerSecrets is empty" },
        { "short", "UserKeyedJwt:ServerSecrets:0:Secret is 16 bytes" },
        { "zero", "UserKeyedJwt:ServerSecrets:0:Secret is all zero bytes" },
        { "not-base64", "UserKeyedJwt:ServerSecrets:0:Secret is missing or not valid base64" },
        { "bad-id", "UserKeyedJwt:ServerSecrets:0:Id must be" },
        { "duplicate-id", "UserKeyedJwt:ServerSecrets:1:Id 's1' is a duplicate" },
        { "active-unknown", "UserKeyedJwt:ActiveSecretId 'nope' names no secret" },
        { "active-missing", "UserKeyedJwt:ActiveSecretId is required" },
        { "issuer", "UserKeyedJwt:Issuer is required" },
        { "audience", "UserKeyedJwt:Audience is required" },
        { "access-zero", "UserKeyedJwt:AccessTokenLifetime is 00:00:00" },
        { "access-huge", "UserKeyedJwt:AccessTokenLifetime is 2.00:00:00" },
        { "refresh-huge", "UserKeyedJwt:RefreshTokenLifetime is 400.00:00:00" },
        { "refresh-zero", "UserKeyedJwt:RefreshTokenLifetime is 00:00:00" },
        { "access-negative", "UserKeyedJwt:AccessTokenLifetime is -00:00:01" },
        { "cache-ttl-huge", "UserKeyedJwt:KeyCacheTtl is 02:00:00" },
        { "store-timeout-huge", "UserKeyedJwt:StoreTimeout is 00:02:00" },
        { "max-length-huge", "UserKeyedJwt:MaxTokenLength is 2097152" },
        { "skew", "UserKeyedJwt:ClockSkew is 01:00:00" },
        { "max-length", "UserKeyedJwt:MaxTokenLength is 100" },
        { "cache-size", "UserKeyedJwt:KeyCacheSize is -1" },
        { "store-timeout", "UserKeyedJwt:StoreTimeout is 00:00:00" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Validate_Problem_FailsNamingTheSetting(string problem, string expected)
    {
        var o = Valid();
        switch (problem)
        {
            case "empty-ring": o.ServerSecrets.Clear(); break;
            case "short": o.ServerSecrets[0].Secret = Convert.ToBase64String(new byte[16] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }); break;
            case "zero": o.ServerSecrets[0].Secret = Convert.ToBase64String(new byte[32]); break;
            case "not-base64": o.ServerSecrets[0].Secret = "not base64!"; break;
            case "bad-id": o.ServerSecrets[0].Id = "has.dot"; o.ActiveSecretId = null; break;
            case "duplicate-id": o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = CoreFixture.NewSecret() }); o.ActiveSecretId = "s1"; break;
            case "active-unknown": o.ActiveSecretId = "nope"; break;
            case "active-missing": o.ServerSecrets.Add(new ServerSecretOptions { Id = "s2", Secret = CoreFixture.NewSecret() }); break;
            case "issuer": o.Issuer = " "; break;
            case "audience": o.Audience = null; break;
            case "access-zero": o.AccessTokenLifetime = TimeSpan.Zero; break;
            case "access-huge": o.AccessTokenLifetime = TimeSpan.FromDays(2); break;
            case "refresh-huge": o.RefreshTokenLifetime = TimeSpan.FromDays(400); break;
            case "refresh-zero": o.RefreshTokenLifetime = TimeSpan.Zero; break;
            case "access-negative": o.AccessTokenLifetime = TimeSpan.FromSeconds(-1); break;
            case "cache-ttl-huge": o.KeyCacheTtl = TimeSpan.FromHours(2); break;
            case "store-timeout-huge": o.StoreTimeout = TimeSpan.FromMinutes(2); break;
            case "max-length-huge": o.MaxTokenLength = 2 * 1024 * 1024; break;
            case "skew": o.ClockSkew = TimeSpan.FromHours(1); break;
            case "max-length": o.MaxTokenLength = 100; break;
            case "cache-size": o.KeyCacheSize = -1; break;
            case "store-timeout": o.StoreTimeout = TimeSpan.Zero; break;
        }

        var result = new UserKeyedJwtOptionsValidator().Validate(null, o);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsAllAtOnceAndNeverEchoesTheSecret()
    {
        var o = new UserKeyedJwtOptions();
        var shortSecret = Convert.ToBase64String("0123456789abcdef"u8.ToArray());
        o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = shortSecret });

        var result = new UserKeyedJwtOptionsValidator().Validate(null, o);

        Assert.Equal(3, result.Failures!.Count());
        Assert.DoesNotContain(shortSecret, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_InvalidOptions_ThrowsAtFirstUseNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IUserKeyInputsSource>(new InMemoryUserKeyInputsSource());
        services.AddUserKeyedJwt(o => o.Issuer = "i");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<UserKeyedTokenHandler>());

        Assert.Contains("UserKeyedJwt:Audience", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UserKeyedJwt:ServerSecrets", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_InvalidRing_KeepsThePreviousRing()
    {
        var ring = new RingControl(("s1", CoreFixture.NewSecret()));
        using var f = new CoreFixture(ring: ring);
        var token = f.Issuer.Issue(f.AddUser()).Token;

        ring.Secrets.Clear();

        // IOptionsMonitor validates the reloaded value before any listener runs, and throws to whoever reloaded.
        var ex = Assert.ThrowsAny<Exception>(ring.Reload);
        Assert.Contains("UserKeyedJwt:ServerSecrets is empty", ex.ToString(), StringComparison.Ordinal);

        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken)).IsValid);
    }
}
