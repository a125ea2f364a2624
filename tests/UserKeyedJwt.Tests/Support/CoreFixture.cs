using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace UserKeyedJwt.Tests.Support;

/// <summary>A real DI container with the core registered, an in-memory source that counts lookups, and fake time.</summary>
public sealed class CoreFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    public CoreFixture(Action<UserKeyedJwtOptions>? configure = null, IUserKeyInputsSource? source = null, DateTimeOffset? start = null, RingControl? ring = null, IUserKeyInvalidationBus? bus = null)
    {
        Time = new FakeTimeProvider(start ?? Start);
        Users = new InMemoryUserKeyInputsSource();
        Source = new CountingSource(source ?? Users);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IUserKeyInputsSource>(Source);
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
        if (bus is not null)
        {
            services.AddSingleton(bus);
        }

        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Handler = _provider.GetRequiredService<UserKeyedTokenHandler>();
        Issuer = _provider.GetRequiredService<UserKeyedTokenIssuer>();
        Cache = _provider.GetRequiredService<IUserKeyCache>();
        Logs = _provider.GetFakeLogCollector();
        _initialSecrets = [.. _provider.GetRequiredService<IOptions<UserKeyedJwtOptions>>().Value.ServerSecrets.Select(x => x.Secret ?? string.Empty)];
        MeterFactory = _provider.GetRequiredService<IMeterFactory>();
    }

    public FakeLogCollector Logs { get; }

    public IMeterFactory MeterFactory { get; }

    private readonly List<string> _initialSecrets;
    private readonly List<string> _userSecrets = [];

    public FakeTimeProvider Time { get; }

    public InMemoryUserKeyInputsSource Users { get; }

    public CountingSource Source { get; }

    public UserKeyedTokenHandler Handler { get; }

    public UserKeyedTokenIssuer Issuer { get; }

    public IUserKeyCache Cache { get; }

    public IServiceProvider Services => _provider;

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The user's real key under the active secret, derived from the document (not the library): to sign as the server would.</summary>
    public byte[] KeyOf(UserKeyInputs user, TokenPurpose purpose = TokenPurpose.Access)
    {
        var options = _provider.GetRequiredService<IOptionsMonitor<UserKeyedJwtOptions>>().CurrentValue;
        var active = options.ServerSecrets.Single(s => options.ActiveSecretId is null || s.Id == options.ActiveSecretId);
        return Shared.SpecKeyDerivation.DeriveKey(Convert.FromBase64String(active.Secret!), user, purpose);
    }

    public UserKeyInputs AddUser(string id = "user-1", string? stamp = "stamp-1", string? hash = "hash-1", IReadOnlyDictionary<string, string?>? extra = null)
    {
        var user = new UserKeyInputs(id, stamp, hash, extra);
        foreach (var value in new[] { stamp, hash })
        {
            if (value is { Length: >= 12 })
            {
                _userSecrets.Add(value);
            }
        }

        Users.Set(user);
        Cache.Invalidate(id);
        return user;
    }

    /// <summary>
    /// Disposes the container, then scans every log line the fixture captured (at Trace) for secrets: the server secrets
    /// it was configured with, anything shaped like a JWT, and the stamps and password hashes given to <see cref="AddUser"/>
    /// (those long enough not to occur by chance). Every core test built on the fixture is part of the suite-wide check.
    /// </summary>
    public void Dispose()
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var secret in _provider.GetRequiredService<IOptionsMonitor<UserKeyedJwtOptions>>().CurrentValue.ServerSecrets)
            {
                secrets.Add(secret.Secret ?? string.Empty);
            }
        }
        catch (OptionsValidationException)
        {
            // A test left deliberately invalid options behind; the secrets it started with are still scanned for.
        }

        secrets.UnionWith(_initialSecrets);
        secrets.UnionWith(_userSecrets);
        secrets.Remove(string.Empty);
        var records = Logs.GetSnapshot();
        _provider.Dispose();
        foreach (var record in records)
        {
            var text = record.Message + " " + record.Exception;
            Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.", text);
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a log line (event {record.Id}) contains a secret");
            }
        }
    }
}

/// <summary>Counts lookups, so tests can assert that cheap rejections never reach the store.</summary>
public sealed class CountingSource(IUserKeyInputsSource inner) : IUserKeyInputsSource
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return inner.FindAsync(userId, cancellationToken);
    }
}
