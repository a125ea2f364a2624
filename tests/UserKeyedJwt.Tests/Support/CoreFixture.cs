using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace UserKeyedJwt.Tests.Support;

/// <summary>A real DI container with the core registered, an in-memory source that counts lookups, and fake time.</summary>
public sealed class CoreFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    public CoreFixture(Action<UserKeyedJwtOptions>? configure = null, IUserKeyMaterialSource? source = null, DateTimeOffset? start = null, RingControl? ring = null)
    {
        Time = new FakeTimeProvider(start ?? Start);
        Users = new InMemoryUserKeyMaterialSource();
        Source = new CountingSource(source ?? Users);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IUserKeyMaterialSource>(Source);
        services.AddMetrics();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = NewSecret() });
            configure?.Invoke(o);
        });
        ring?.Register(services);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Handler = _provider.GetRequiredService<UserKeyedTokenHandler>();
        Issuer = _provider.GetRequiredService<UserKeyedTokenIssuer>();
        Cache = _provider.GetRequiredService<IUserKeyCache>();
        Logs = _provider.GetFakeLogCollector();
        MeterFactory = _provider.GetRequiredService<IMeterFactory>();
    }

    public FakeLogCollector Logs { get; }

    public IMeterFactory MeterFactory { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryUserKeyMaterialSource Users { get; }

    public CountingSource Source { get; }

    public UserKeyedTokenHandler Handler { get; }

    public UserKeyedTokenIssuer Issuer { get; }

    public IUserKeyCache Cache { get; }

    public IServiceProvider Services => _provider;

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public UserKeyMaterial AddUser(string id = "user-1", string? stamp = "stamp-1", string? hash = "hash-1", IReadOnlyDictionary<string, string?>? extra = null)
    {
        var user = new UserKeyMaterial(id, stamp, hash, extra);
        Users.Set(user);
        Cache.Invalidate(id);
        return user;
    }

    public void Dispose() => _provider.Dispose();
}

/// <summary>Counts lookups, so tests can assert that cheap rejections never reach the store.</summary>
public sealed class CountingSource(IUserKeyMaterialSource inner) : IUserKeyMaterialSource
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<UserKeyMaterial?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.FindAsync(userId, cancellationToken);
    }
}
