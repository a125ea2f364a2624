using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace UserKeyedJwt.Tests.Support;

/// <summary>
/// A real container with the core and sessions registered, fake time, and the in-memory stores behind wrappers that count
/// calls, can fail like an unreachable server, and can run a revocation at a chosen point of a refresh.
/// </summary>
public sealed class SessionFixture : IDisposable
{
    private readonly ServiceProvider _provider;

    public SessionFixture(Action<UserKeyedSessionOptions>? configure = null, Action<UserKeyedJwtOptions>? core = null)
    {
        Time = new FakeTimeProvider(CoreFixture.Start);
        Users = new InMemoryUserKeyInputsSource();
        Store = new ControlledSessionStore(new InMemoryUserKeyedSessionStore(Time));
        RevokedTokens = new ControlledRevokedTokenStore(new InMemoryRevokedTokenStore());
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IUserKeyInputsSource>(Users);
        services.AddSingleton<IUserKeyedSessionStore>(Store);
        services.AddSingleton<IRevokedTokenStore>(RevokedTokens);
        services.AddMetrics();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = ServerSecret });
            core?.Invoke(o);
        });
        services.AddUserKeyedJwtSessions(o => configure?.Invoke(o));
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Handler = _provider.GetRequiredService<UserKeyedTokenHandler>();
        Issuer = _provider.GetRequiredService<UserKeyedTokenIssuer>();
        Sessions = _provider.GetRequiredService<UserKeyedSessions>();
        Cache = _provider.GetRequiredService<IUserKeyCache>();
        Logs = _provider.GetFakeLogCollector();
        MeterFactory = _provider.GetRequiredService<IMeterFactory>();
    }

    public IMeterFactory MeterFactory { get; }

    public string ServerSecret { get; } = CoreFixture.NewSecret();

    public FakeTimeProvider Time { get; }

    public InMemoryUserKeyInputsSource Users { get; }

    public ControlledSessionStore Store { get; }

    public ControlledRevokedTokenStore RevokedTokens { get; }

    public UserKeyedTokenHandler Handler { get; }

    public UserKeyedTokenIssuer Issuer { get; }

    public UserKeyedSessions Sessions { get; }

    public IUserKeyCache Cache { get; }

    public FakeLogCollector Logs { get; }

    public IServiceProvider Services => _provider;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Stores the user's inputs and drops the user's cached keys, as the Identity integration does after a commit.</summary>
    public UserKeyInputs AddUser(string id = "user-1", string stamp = "stamp-1", string hash = "hash-1")
    {
        var user = new UserKeyInputs(id, stamp, hash);
        Users.Set(user);
        Cache.Invalidate(id);
        return user;
    }

    public Task<SessionTokens> StartAsync(UserKeyInputs user, string? device = null) => Sessions.StartAsync(user, null, device, Ct);

    public Task<RefreshResult> RefreshAsync(string refreshToken) => Sessions.RefreshAsync(refreshToken, null, Ct);

    public async Task<TokenFailureReason?> AccessAsync(string token) => (await Handler.ValidateAsync(token, TokenPurpose.Access, Ct)).FailureReason;

    public async Task<TokenFailureReason?> RefreshValidAsync(string token) => (await Handler.ValidateAsync(token, TokenPurpose.Refresh, Ct)).FailureReason;

    /// <summary>Whether <paramref name="tokens"/>' access token or refresh token still validates, or its refresh token still redeems.</summary>
    public async Task<bool> AnyAliveAsync(SessionTokens tokens) =>
        await AccessAsync(tokens.AccessToken.Token) is null
        || await RefreshValidAsync(tokens.RefreshToken.Token) is null
        || (await RefreshAsync(tokens.RefreshToken.Token)).Succeeded;

    /// <summary>The key a token of <paramref name="session"/> (or, without one, of the user alone) is signed under, from the document.</summary>
    public byte[] KeyOf(UserKeyInputs user, TokenPurpose purpose, UserKeyedSession? session) => session is null
        ? Shared.SpecKeyDerivation.DeriveKey(Convert.FromBase64String(ServerSecret), user, purpose)
        : Shared.SpecKeyDerivation.DeriveSessionKey(Convert.FromBase64String(ServerSecret), user, purpose, session.Id, session.Secret);

    public void Dispose() => _provider.Dispose();
}

/// <summary>
/// The in-memory session store underneath; counts reads, can fail like an unreachable database, and runs
/// <see cref="BeforeAdvance"/> once, just before a compare-and-set, so a test can commit a revocation inside a refresh.
/// </summary>
public sealed class ControlledSessionStore(IUserKeyedSessionStore inner) : IUserKeyedSessionStore
{
    private int _reads;
    private Func<Task>? _beforeAdvance;
    private Func<Task>? _afterFind;

    public int Reads => Volatile.Read(ref _reads);

    public bool Down { get; set; }

    /// <summary>Runs once, before the next <see cref="TryAdvanceAsync"/> reaches the store.</summary>
    public Func<Task>? BeforeAdvance
    {
        get => Volatile.Read(ref _beforeAdvance);
        set => Volatile.Write(ref _beforeAdvance, value);
    }

    /// <summary>Runs once, after the next <see cref="FindAsync"/> has read the store and before it returns.</summary>
    public Func<Task>? AfterFind
    {
        get => Volatile.Read(ref _afterFind);
        set => Volatile.Write(ref _afterFind, value);
    }

    public ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.AddAsync(session, maxSessionsPerUser, cancellationToken);
    }

    public async ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        ThrowIfDown();
        var found = await inner.FindAsync(sessionId, cancellationToken);
        if (Interlocked.Exchange(ref _afterFind, null) is { } hook)
        {
            await hook();
        }

        return found;
    }

    public ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.ListAsync(userId, cancellationToken);
    }

    public async ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _beforeAdvance, null) is { } hook)
        {
            await hook();
        }

        ThrowIfDown();
        return await inner.TryAdvanceAsync(sessionId, expectedGeneration, now, cancellationToken);
    }

    public ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.RemoveAsync(userId, sessionId, cancellationToken);
    }

    public ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.RemoveAllAsync(userId, exceptSessionId, cancellationToken);
    }

    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.RemoveExpiredAsync(now, inactiveSince, cancellationToken);
    }

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new IOException("session store unreachable");
        }
    }
}

/// <summary>The in-memory denylist underneath; counts reads, and can fail like an unreachable database.</summary>
public sealed class ControlledRevokedTokenStore(IRevokedTokenStore inner) : IRevokedTokenStore
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public bool Down { get; set; }

    public ValueTask<bool> RevokeAsync(string userId, string tokenId, DateTimeOffset expiresAt, int maxPerUser, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.RevokeAsync(userId, tokenId, expiresAt, maxPerUser, now, cancellationToken);
    }

    public ValueTask<IReadOnlyCollection<string>> ListAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        ThrowIfDown();
        return inner.ListAsync(userId, now, cancellationToken);
    }

    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.RemoveExpiredAsync(now, cancellationToken);
    }

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new IOException("denylist unreachable");
        }
    }
}
