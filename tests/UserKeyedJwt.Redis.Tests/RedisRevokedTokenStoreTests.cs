using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using UserKeyedJwt.Redis.Tests.Support;

namespace UserKeyedJwt.Redis.Tests;

/// <summary>The Redis store against a real redis-server started for these tests.</summary>
public sealed class RedisRevokedTokenStoreTests : IAsyncLifetime
{
    private RedisServer _server = null!;
    private ConnectionMultiplexer _admin = null!;
    private RedisRevokedTokenStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        _store = new RedisRevokedTokenStore(Options.Create(new RedisRevokedTokenStoreOptions { Configuration = _server.Configuration }), TimeProvider.System, NullLogger<RedisRevokedTokenStore>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task RevokeToken_KeyExpiresExactlyAtTheTokensExp()
    {
        var exp = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600);
        await _store.RevokeTokenAsync("jti-1", exp, Ct);

        Assert.True(await _store.IsRevokedAsync("jti-1", null, Ct));
        Assert.False(await _store.IsRevokedAsync("jti-2", null, Ct));
        var expireAt = (long)await _admin.GetDatabase().ExecuteAsync("PEXPIRETIME", "ukjwt:j:jti-1");
        Assert.Equal(exp.ToUnixTimeMilliseconds(), expireAt);
    }

    [Fact]
    public async Task RevokeSession_RevokesAnyTokenOfThatSession_UntilItExpires()
    {
        await _store.RevokeSessionAsync("sid-1", DateTimeOffset.UtcNow.AddMilliseconds(700), Ct);

        Assert.True(await _store.IsRevokedAsync("any-jti", "sid-1", Ct));
        Assert.False(await _store.IsRevokedAsync("any-jti", "sid-2", Ct));
        await Task.Delay(900, Ct);
        Assert.False(await _store.IsRevokedAsync("any-jti", "sid-1", Ct));
        Assert.False(await _admin.GetDatabase().KeyExistsAsync("ukjwt:s:sid-1"));
    }

    [Fact]
    public async Task Revoke_AlreadyExpired_WritesNothing()
    {
        await _store.RevokeTokenAsync("old", DateTimeOffset.UtcNow.AddSeconds(-5), Ct);
        Assert.False(await _admin.GetDatabase().KeyExistsAsync("ukjwt:j:old"));
    }

    [Fact]
    public async Task TryConsume_ConcurrentCalls_ExactlyOneWins_OthersSeeTheFirstTime()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _store.TryConsumeAsync("rt-1", now, now.AddMinutes(5), Ct).AsTask()));

        Assert.Single(results, r => r is null);
        Assert.All(results.Where(r => r is not null), r => Assert.Equal(now, r));
        var expireAt = (long)await _admin.GetDatabase().ExecuteAsync("PEXPIRETIME", "ukjwt:c:rt-1");
        Assert.Equal(now.AddMinutes(5).ToUnixTimeMilliseconds(), expireAt);
    }

    [Fact]
    public async Task Sessions_LogoutOnOneNode_IsSeenOnAnother_AndReuseIsDetectedAcrossNodes()
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var users = new InMemoryUserKeyInputsSource();
        var alice = new UserKeyInputs("alice", "stamp-1", "hash-1");
        users.Set(alice);
        await using var a = new RedisNode(_server.Configuration, secret, users);
        await using var b = new RedisNode(_server.Configuration, secret, users);

        var phone = a.Sessions.Start(alice);
        var laptop = a.Sessions.Start(alice);
        Assert.Null(await b.AccessAsync(phone.AccessToken.Token));

        await a.Sessions.EndAsync(phone.Session, Ct);
        Assert.Equal(TokenFailureReason.TokenRevoked, await b.AccessAsync(phone.AccessToken.Token));
        Assert.Null(await b.AccessAsync(laptop.AccessToken.Token));

        Assert.Equal(RefreshRedemptionStatus.Redeemed, (await a.Sessions.RedeemAsync(laptop.RefreshToken.Token, Ct)).Status);
        Assert.Equal(RefreshRedemptionStatus.Reused, (await b.Sessions.RedeemAsync(laptop.RefreshToken.Token, Ct)).Status);
        Assert.Equal(TokenFailureReason.TokenRevoked, await a.AccessAsync(laptop.AccessToken.Token));
    }
}
