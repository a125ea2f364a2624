using System.Security.Cryptography;
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

    private static (RedisNode Node, UserKeyMaterial Alice) NewNode(RedisServer server, Action<UserKeyedSessionOptions>? sessions)
    {
        var users = new InMemoryUserKeyMaterialSource();
        var alice = new UserKeyMaterial("alice", "stamp-1", "hash-1");
        users.Set(alice);
        return (new RedisNode(server.Configuration, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), users, sessions), alice);
    }
}
