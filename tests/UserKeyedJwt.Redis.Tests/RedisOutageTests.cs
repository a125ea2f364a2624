using System.Security.Cryptography;
using StackExchange.Redis;
using UserKeyedJwt.Redis.Tests.Support;

namespace UserKeyedJwt.Redis.Tests;

/// <summary>Redis stopped in the middle of a test: every check fails closed (by default), is logged and counted.</summary>
public sealed class RedisOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Validate_RedisStoppedMidTest_FailsClosed_LogsAndCounts_ThenRecovers()
    {
        await using var server = await RedisServer.StartAsync();
        var (node, alice) = NewNode(server, null);
        await using var _ = node;
        using var failures = node.Collect("userkeyedjwt.revocation_store.failures");
        var tokens = node.Sessions.Start(alice);
        Assert.Null(await node.AccessAsync(tokens.AccessToken.Token));

        await server.StopAsync();

        Assert.Equal(TokenFailureReason.StoreUnavailable, await node.AccessAsync(tokens.AccessToken.Token));
        var refresh = await node.Sessions.RedeemAsync(tokens.RefreshToken.Token, Ct);
        Assert.Equal(TokenFailureReason.StoreUnavailable, refresh.FailureReason);
        await Assert.ThrowsAnyAsync<Exception>(() => node.Sessions.EndAsync(tokens.Session, Ct).AsTask());
        Assert.Contains(node.Logs.GetSnapshot(), r => r.Id.Id == 1103);
        Assert.Contains(node.Logs.GetSnapshot(), r => r.Id.Id == 3003);
        Assert.Contains(failures.GetMeasurementSnapshot(), m => Equals(m.Tags["operation"], "check"));

        await server.StartAgainAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        TokenFailureReason? reason;
        do
        {
            await Task.Delay(100, Ct);
            reason = await node.AccessAsync(tokens.AccessToken.Token);
        }
        while (reason is not null && DateTime.UtcNow < deadline);

        Assert.Null(reason);
    }

    [Fact]
    public async Task Validate_RedisStoppedWithFailOpen_AcceptsAccessTokens_RefreshStillFailsClosed()
    {
        await using var server = await RedisServer.StartAsync();
        var (node, alice) = NewNode(server, o => o.RevocationStoreFailure = RevocationStoreFailureMode.FailOpen);
        await using var _ = node;
        using var failures = node.Collect("userkeyedjwt.revocation_store.failures");
        var tokens = node.Sessions.Start(alice);
        Assert.Null(await node.AccessAsync(tokens.AccessToken.Token));

        await server.StopAsync();

        Assert.Null(await node.AccessAsync(tokens.AccessToken.Token));
        // The refresh token passes the (failed-open) denylist check, but consuming it cannot: refresh fails closed.
        Assert.Equal(TokenFailureReason.StoreUnavailable, (await node.Sessions.RedeemAsync(tokens.RefreshToken.Token, Ct)).FailureReason);
        Assert.Contains(node.Logs.GetSnapshot(), r => r.Id.Id == 1103);
        Assert.Contains(failures.GetMeasurementSnapshot(), m => Equals(m.Tags["operation"], "check"));
        Assert.Contains(failures.GetMeasurementSnapshot(), m => Equals(m.Tags["operation"], "consume"));
    }

    [Fact]
    public async Task Validate_RedisPausedLongerThanItsTimeout_FailsClosedWithoutHanging()
    {
        await using var server = await RedisServer.StartAsync();
        var (node, alice) = NewNode(server, null);
        await using var _ = node;
        var tokens = node.Sessions.Start(alice);
        Assert.Null(await node.AccessAsync(tokens.AccessToken.Token));
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");

        // A slow Redis: every client is held for 6 s, longer than the store's 2 s timeout.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "6000", "ALL");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var reason = await node.AccessAsync(tokens.AccessToken.Token);
        started.Stop();

        Assert.Equal(TokenFailureReason.StoreUnavailable, reason);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5.5), $"the check waited {started.Elapsed} for a paused Redis");
    }

    [Fact]
    public async Task Validate_ConnectionKilledMidTraffic_NeverAcceptsARevokedToken()
    {
        await using var server = await RedisServer.StartAsync();
        var (node, alice) = NewNode(server, null);
        await using var _ = node;
        var loggedOut = node.Sessions.Start(alice);
        var live = node.Sessions.Start(alice);
        await node.Sessions.EndAsync(loggedOut.Session, Ct);
        Assert.Equal(TokenFailureReason.TokenRevoked, await node.AccessAsync(loggedOut.AccessToken.Token));
        await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");

        // Drop every other client's connection while requests are in flight, several times.
        var outcomes = new List<TokenFailureReason?>();
        for (var round = 0; round < 5; round++)
        {
            var inFlight = Enumerable.Range(0, 20).Select(_ => node.AccessAsync(loggedOut.AccessToken.Token)).ToList();
            await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
            outcomes.AddRange(await Task.WhenAll(inFlight));
        }

        Assert.All(outcomes, reason => Assert.Contains(reason, new TokenFailureReason?[] { TokenFailureReason.TokenRevoked, TokenFailureReason.StoreUnavailable }));

        // After the reconnect the live session works again and the ended one is still refused.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        TokenFailureReason? liveReason;
        do
        {
            await Task.Delay(100, Ct);
            liveReason = await node.AccessAsync(live.AccessToken.Token);
        }
        while (liveReason is not null && DateTime.UtcNow < deadline);

        Assert.Null(liveReason);
        Assert.Equal(TokenFailureReason.TokenRevoked, await node.AccessAsync(loggedOut.AccessToken.Token));
    }

    private static (RedisNode Node, UserKeyInputs Alice) NewNode(RedisServer server, Action<UserKeyedSessionOptions>? sessions)
    {
        var users = new InMemoryUserKeyInputsSource();
        var alice = new UserKeyInputs("alice", "stamp-1", "hash-1");
        users.Set(alice);
        return (new RedisNode(server.Configuration, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), users, sessions), alice);
    }
}
