using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace UserKeyedJwt.Benchmarks;

/// <summary>What every benchmark and probe sets up the same way: the container, a realistic user, the claims.</summary>
internal static class BenchmarkHost
{
    public const string Issuer = "https://issuer.example";
    public const string Audience = "api.example";

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A real container with the core; tokens live a day and cached keys an hour, so no run sees either expire.</summary>
    public static ServiceProvider Build(IUserKeyInputsSource source, string? secret = null, int cacheSize = 100_000, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(source);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = Issuer;
            o.Audience = Audience;
            o.AccessTokenLifetime = TimeSpan.FromDays(1);
            o.KeyCacheSize = cacheSize;
            o.KeyCacheTtl = TimeSpan.FromHours(1);
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = secret ?? NewSecret() });
        });
        return services.BuildServiceProvider();
    }

    /// <summary>A user shaped like an Identity user: GUID id, 32-character stamp, V3 password hash length.</summary>
    public static UserKeyInputs NewUser() =>
        new(Guid.NewGuid().ToString(), Guid.NewGuid().ToString("N").ToUpperInvariant(), "AQAAAAIAAYagAAAAE" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));

    public static Claim[] Claims() => [new("role", "user"), new("email", "someone@example.com")];
}
