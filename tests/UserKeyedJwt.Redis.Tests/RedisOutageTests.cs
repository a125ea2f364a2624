using System.Diagnostics;
using System.Security.Cryptography;
using StackExchange.Redis;
using UserKeyedJwt.Redis.Tests.Support;

namespace UserKeyedJwt.Redis.Tests;

/// <summary>
/// Redis carries only the invalidation bus: when it stops, pauses or drops its connections, two nodes sharing the session
/// stores (as they would share the application's database) keep serving valid sessions, refuse ended ones within the bus delay and
/// never again accept them, and refresh.
/// </summary>
public sealed class RedisOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sessions_RedisStopped_AreServedFromTheStores_EndedOnesRefusedAtOnce_AndRefreshWorks()
    {
        await using var server = await RedisServer.StartAsync();
        var shared = new SharedDatabase();
        await using var a = shared.Node(server);
        await using var b = shared.Node(server);
        await WaitUntilAsync(() => a.Bus!.IsConnected && b.Bus!.IsConnected, "both buses connected");
        var phone = await a.Sessions.StartAsync(shared.Alice, cancellationToken: Ct);
        var laptop = await a.Sessions.StartAsync(shared.Alice, cancellationToken: Ct);
        var single = a.Issuer.Issue(shared.Alice);
        Assert.Null(await b.AccessAsync(phone.AccessToken.Token));

        await server.StopAsync();
        await WaitUntilAsync(() => !a.Bus!.IsConnected && !b.Bus!.IsConnected, "both buses see the outage");

        Assert.Null(await b.AccessAsync(phone.AccessToken.Token));
        Assert.Null(await b.AccessAsync(laptop.AccessToken.Token));
        Assert.Null(await b.AccessAsync(single.Token));
        Assert.True(await a.Sessions.EndAsync("alice", phone.Session.Id, SessionEndReason.Logout, "alice", Ct));
        Assert.True(await a.Sessions.RevokeTokenAsync("alice", single.TokenId, single.ExpiresAt, Ct));
        Assert.Equal(TokenFailureReason.SessionEnded, await b.AccessAsync(phone.AccessToken.Token));
        Assert.Equal(TokenFailureReason.TokenRevoked, await b.AccessAsync(single.Token));
        var refreshed = await b.Sessions.RefreshAsync(laptop.RefreshToken.Token, cancellationToken: Ct);
        Assert.True(refreshed.Succeeded, refreshed.FailureReason?.ToString());
        Assert.Null(await a.AccessAsync(refreshed.Tokens!.AccessToken.Token));
        Assert.True((await a.Sessions.RefreshAsync(laptop.RefreshToken.Token, cancellationToken: Ct)).ReuseDetected);
        Assert.Equal(TokenFailureReason.SessionEnded, await b.AccessAsync(refreshed.Tokens.AccessToken.Token));
    }

    [Fact]
    public async Task Sessions_RedisUp_AnEndedSessionIsRefusedOnTheOtherNodeFromItsCache()
    {
        await using var server = await RedisServer.StartAsync();
        var shared = new SharedDatabase();
        await using var a = shared.Node(server);
        await using var b = shared.Node(server);
        await WaitUntilAsync(() => a.Bus!.IsConnected && b.Bus!.IsConnected, "both buses connected");
        var phone = await a.Sessions.StartAsync(shared.Alice, cancellationToken: Ct);
        Assert.Null(await b.AccessAsync(phone.AccessToken.Token));
        var reads = shared.SessionReads;
        Assert.Null(await b.AccessAsync(phone.AccessToken.Token));
        Assert.Equal(reads, shared.SessionReads);

        var ended = Stopwatch.StartNew();
        await a.Sessions.EndAllAsync("alice", null, SessionEndReason.LogoutAll, "alice", Ct);

        await WaitUntilAsync(async () => await b.AccessAsync(phone.AccessToken.Token) == TokenFailureReason.SessionEnded, "node b refuses the ended session");
        Assert.InRange(ended.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Validate_RedisPaused_NeitherHangsNorRefusesAValidSession()
    {
        await using var server = await RedisServer.StartAsync();
        var shared = new SharedDatabase();
        await using var node = shared.Node(server);
        await WaitUntilAsync(() => node.Bus!.IsConnected, "bus connected");
        var warm = await node.Sessions.StartAsync(shared.Alice, cancellationToken: Ct);
        var cold = await node.Sessions.StartAsync(shared.Alice, cancellationToken: Ct);
        Assert.Null(await node.AccessAsync(warm.AccessToken.Token));
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");

        // A stalled Redis: every client is held for 3 s, longer than the bus's heartbeat timeout.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "3000", "ALL");
        var started = Stopwatch.StartNew();
        Assert.Null(await node.AccessAsync(warm.AccessToken.Token));
        Assert.Null(await node.AccessAsync(cold.AccessToken.Token));
        Assert.True((await node.Sessions.RefreshAsync(cold.RefreshToken.Token, cancellationToken: Ct)).Succeeded);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1), $"validation waited {started.Elapsed} on a paused Redis");
    }

    [Fact]
    public async Task Validate_ConnectionsKilledMidTraffic_NeverAcceptAnEndedSession_NorRefuseALiveOne()
    {
        await using var server = await RedisServer.StartAsync();
        var shared = new SharedDatabase();
        await using var a = shared.Node(server);
        await using var b = shared.Node(server);
        await WaitUntilAsync(() => a.Bus!.IsConnected && b.Bus!.IsConnected, "both buses connected");
        var loggedOut = await a.Sessions.StartAsync(shared.Alice, cancellationToken: Ct);
        var live = await a.Sessions.StartAsync(shared.Alice, cancellationToken: Ct);
        Assert.Null(await b.AccessAsync(loggedOut.AccessToken.Token));
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");

        // Drop every other client's connection while requests are in flight, several times, ending the session in the middle.
        var ended = new List<TokenFailureReason?>();
        var served = new List<TokenFailureReason?>();
        for (var round = 0; round < 5; round++)
        {
            if (round == 1)
            {
                // Another node learns of the end through the bus, after the publish-and-deliver time (docs/scale-out.md); the
                // connection of either node may be down from the last kill, which bounds it by the heartbeat timeout.
                var ending = Stopwatch.StartNew();
                await a.Sessions.EndAsync("alice", loggedOut.Session.Id, SessionEndReason.Logout, "alice", Ct);
                await WaitUntilAsync(async () => await b.AccessAsync(loggedOut.AccessToken.Token) == TokenFailureReason.SessionEnded, "node b refuses the ended session");
                Assert.InRange(ending.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));
            }

            var endedInFlight = round == 0 ? [] : Enumerable.Range(0, 20).Select(_ => b.AccessAsync(loggedOut.AccessToken.Token)).ToList();
            var liveInFlight = Enumerable.Range(0, 20).Select(_ => b.AccessAsync(live.AccessToken.Token)).ToList();
            await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
            ended.AddRange(await Task.WhenAll(endedInFlight));
            served.AddRange(await Task.WhenAll(liveInFlight));
        }

        Assert.All(ended, reason => Assert.Equal(TokenFailureReason.SessionEnded, reason));
        Assert.All(served, Assert.Null);
    }

    [Fact]
    public async Task Dispose_WhileRedisDiesUnderPublishes_NeverThrows()
    {
        await using var server = await RedisServer.StartAsync();
        var shared = new SharedDatabase();
        for (var round = 0; round < 10; round++)
        {
            var node = shared.Node(server);
            await WaitUntilAsync(() => node.Bus!.IsConnected, "bus connected");

            // Publishes in flight as Redis dies, and the host stopping while they fail: a shutdown during an outage.
            for (var i = 0; i < 200; i++)
            {
                node.Bus!.Publish($"user-{i}");
            }

            await Task.WhenAll(server.StopAsync(), Task.Delay(round, Ct));
            await node.DisposeAsync();
            await server.StartAgainAsync();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what) => await WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < Patience, $"timed out waiting for: {what}");
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>What the nodes share, as they would share the application's database: users, sessions, the denylist, the secret.</summary>
    private sealed class SharedDatabase
    {
        private readonly InMemoryUserKeyInputsSource _users = new();
        private readonly CountingSessions _sessions = new(new InMemoryUserKeyedSessionStore(TimeProvider.System));
        private readonly InMemoryRevokedTokenStore _revokedTokens = new();
        private readonly string _secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        public SharedDatabase() => _users.Set(Alice);

        public UserKeyInputs Alice { get; } = new("alice", "stamp-1", "hash-1");

        public int SessionReads => _sessions.Reads;

        public RedisNode Node(RedisServer server) => new(server.Configuration, _secret, _users, invalidation: o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
            o.HeartbeatTimeout = TimeSpan.FromMilliseconds(600);
            o.Timeout = TimeSpan.FromMilliseconds(500);
        }, sessionStore: _sessions, revokedTokens: _revokedTokens);
    }

    private sealed class CountingSessions(IUserKeyedSessionStore inner) : IUserKeyedSessionStore
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public ValueTask<IReadOnlyList<string>> AddAsync(UserKeyedSession session, int maxSessionsPerUser, CancellationToken cancellationToken) => inner.AddAsync(session, maxSessionsPerUser, cancellationToken);

        public ValueTask<UserKeyedSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return inner.FindAsync(sessionId, cancellationToken);
        }

        public ValueTask<IReadOnlyList<UserKeyedSession>> ListAsync(string userId, CancellationToken cancellationToken) => inner.ListAsync(userId, cancellationToken);

        public ValueTask<bool> TryAdvanceAsync(string sessionId, long expectedGeneration, DateTimeOffset now, CancellationToken cancellationToken) => inner.TryAdvanceAsync(sessionId, expectedGeneration, now, cancellationToken);

        public ValueTask<bool> RemoveAsync(string userId, string sessionId, CancellationToken cancellationToken) => inner.RemoveAsync(userId, sessionId, cancellationToken);

        public ValueTask<IReadOnlyList<string>> RemoveAllAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken) => inner.RemoveAllAsync(userId, exceptSessionId, cancellationToken);

        public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, DateTimeOffset inactiveSince, CancellationToken cancellationToken) => inner.RemoveExpiredAsync(now, inactiveSince, cancellationToken);
    }
}
