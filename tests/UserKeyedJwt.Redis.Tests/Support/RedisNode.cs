using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace UserKeyedJwt.Redis.Tests.Support;

/// <summary>
/// One application node: a real container with the core, sessions and, if asked, the Redis invalidation bus, on the real
/// clock. Nodes given the same stores share them as they would share the application's database.
/// </summary>
public sealed class RedisNode : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly string _serverSecret;

    public RedisNode(
        string redisConfiguration,
        string serverSecret,
        IUserKeyInputsSource users,
        Action<UserKeyedSessionOptions>? sessions = null,
        Action<RedisUserKeyInvalidationOptions>? invalidation = null,
        IUserKeyedSessionStore? sessionStore = null,
        IRevokedTokenStore? revokedTokens = null)
    {
        _serverSecret = serverSecret;
        var services = new ServiceCollection();
        services.AddSingleton<IUserKeyInputsSource>(users);
        services.AddMetrics();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = serverSecret });
        });
        services.AddUserKeyedJwtSessions(o => sessions?.Invoke(o));
        if (sessionStore is not null)
        {
            services.AddSingleton(sessionStore);
        }

        if (revokedTokens is not null)
        {
            services.AddSingleton(revokedTokens);
        }

        if (invalidation is not null)
        {
            services.AddUserKeyedJwtRedisInvalidation(o =>
            {
                o.Configuration = redisConfiguration;
                invalidation(o);
            });
        }

        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Handler = _provider.GetRequiredService<UserKeyedTokenHandler>();
        Sessions = _provider.GetRequiredService<UserKeyedSessions>();
        Logs = _provider.GetFakeLogCollector();
        MeterFactory = _provider.GetRequiredService<IMeterFactory>();
        Cache = _provider.GetRequiredService<IUserKeyCache>();
        Issuer = _provider.GetRequiredService<UserKeyedTokenIssuer>();
        Bus = _provider.GetService<RedisUserKeyInvalidationBus>();
    }

    public IUserKeyCache Cache { get; }

    public UserKeyedTokenIssuer Issuer { get; }

    /// <summary>The node's invalidation bus, when it has one.</summary>
    public RedisUserKeyInvalidationBus? Bus { get; }

    public UserKeyedTokenHandler Handler { get; }

    public UserKeyedSessions Sessions { get; }

    public FakeLogCollector Logs { get; }

    public IMeterFactory MeterFactory { get; }

    public MetricCollector<long> Collect(string instrument) => new(MeterFactory, "UserKeyedJwt", instrument);

    public async Task<TokenFailureReason?> AccessAsync(string token) =>
        (await Handler.ValidateAsync(token, TokenPurpose.Access, TestContext.Current.CancellationToken)).FailureReason;

    /// <summary>Disposes the node, then scans its Trace logs: no server secret and nothing shaped like a JWT.</summary>
    public async ValueTask DisposeAsync()
    {
        var records = Logs.GetSnapshot();
        await _provider.DisposeAsync();
        foreach (var record in records)
        {
            var text = record.Message + " " + record.Exception;
            Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.", text);
            Assert.DoesNotContain(_serverSecret, text, StringComparison.Ordinal);
        }
    }
}
