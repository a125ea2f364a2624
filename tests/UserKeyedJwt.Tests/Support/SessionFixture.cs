using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace UserKeyedJwt.Tests.Support;

/// <summary>A real container with the core and sessions registered, fake time, and a revocation store that counts calls.</summary>
public sealed class SessionFixture : IDisposable
{
    private readonly ServiceProvider _provider;

    public SessionFixture(Action<UserKeyedSessionOptions>? configure = null, Func<TimeProvider, IRevokedTokenStore>? store = null, Action<UserKeyedJwtOptions>? core = null)
    {
        Time = new FakeTimeProvider(CoreFixture.Start);
        Users = new InMemoryUserKeyInputsSource();
        Store = new CountingRevokedTokenStore(store?.Invoke(Time) ?? new InMemoryRevokedTokenStore(Time, 10_000));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IUserKeyInputsSource>(Users);
        services.AddSingleton<IRevokedTokenStore>(Store);
        services.AddMetrics();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
            core?.Invoke(o);
        });
        services.AddUserKeyedJwtSessions(o => configure?.Invoke(o));
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Handler = _provider.GetRequiredService<UserKeyedTokenHandler>();
        Issuer = _provider.GetRequiredService<UserKeyedTokenIssuer>();
        Sessions = _provider.GetRequiredService<UserKeyedSessions>();
        Cache = _provider.GetRequiredService<IUserKeyCache>();
        Logs = _provider.GetFakeLogCollector();
        MeterFactory = _provider.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
    }

    public System.Diagnostics.Metrics.IMeterFactory MeterFactory { get; }

    public FakeTimeProvider Time { get; }

    public InMemoryUserKeyInputsSource Users { get; }

    public CountingRevokedTokenStore Store { get; }

    public UserKeyedTokenHandler Handler { get; }

    public UserKeyedTokenIssuer Issuer { get; }

    public UserKeyedSessions Sessions { get; }

    public IUserKeyCache Cache { get; }

    public FakeLogCollector Logs { get; }

    public IServiceProvider Services => _provider;

    public UserKeyInputs AddUser(string id = "user-1", string stamp = "stamp-1")
    {
        var user = new UserKeyInputs(id, stamp, "hash-1");
        Users.Set(user);
        Cache.Invalidate(id);
        return user;
    }

    public async Task<TokenFailureReason?> AccessAsync(string token) => (await Handler.ValidateAsync(token, TokenPurpose.Access, TestContext.Current.CancellationToken)).FailureReason;

    public async Task<TokenFailureReason?> RefreshValidAsync(string token) => (await Handler.ValidateAsync(token, TokenPurpose.Refresh, TestContext.Current.CancellationToken)).FailureReason;

    public Task<RefreshRedemption> RedeemAsync(string refreshToken) => Sessions.RedeemAsync(refreshToken, TestContext.Current.CancellationToken);

    public void Dispose() => _provider.Dispose();
}

/// <summary>A real store underneath; counts every call, and can be switched to fail like an unreachable server.</summary>
public sealed class CountingRevokedTokenStore(IRevokedTokenStore inner) : IRevokedTokenStore
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public bool Down { get; set; }

    public ValueTask<bool> IsRevokedAsync(string tokenId, string? sessionId, CancellationToken cancellationToken)
    {
        Enter();
        return inner.IsRevokedAsync(tokenId, sessionId, cancellationToken);
    }

    public ValueTask RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        Enter();
        return inner.RevokeTokenAsync(tokenId, expiresAt, cancellationToken);
    }

    public ValueTask RevokeSessionAsync(string sessionId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        Enter();
        return inner.RevokeSessionAsync(sessionId, expiresAt, cancellationToken);
    }

    public ValueTask<DateTimeOffset?> TryConsumeAsync(string tokenId, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        Enter();
        return inner.TryConsumeAsync(tokenId, now, expiresAt, cancellationToken);
    }

    private void Enter()
    {
        Interlocked.Increment(ref _calls);
        if (Down)
        {
            throw new IOException("revocation store unreachable");
        }
    }
}
