using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserKeyedJwt.Redis.Tests.Support;

namespace UserKeyedJwt.Redis.Tests;

/// <summary>
/// Cross-node key-cache invalidation on a real redis-server: two nodes (two containers, each with its own key cache) share a
/// user store and a Redis, as two API processes would. The three-process test over HTTP is in UserKeyedJwt.ScaleOut.Tests.
/// </summary>
public sealed class RedisUserKeyInvalidationBusTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Invalidate_OnOneNode_RevokesTheCachedTokenOnTheOther()
    {
        await using var server = await RedisServer.StartAsync();
        var users = new CountingUsers();
        var secret = NewSecret();
        await using var a = Node(server, secret, users);
        await using var b = Node(server, secret, users);
        await WaitUntilAsync(() => a.Bus!.IsConnected && b.Bus!.IsConnected, "both buses connected");

        var alice = users.Set(new UserKeyInputs("alice", "stamp-1", "hash-1"));
        var token = a.Issuer.Issue(alice).Token;
        Assert.Null(await b.AccessAsync(token));
        Assert.Null(await b.AccessAsync(token));
        Assert.Equal(1, users.Calls); // cached on b

        // A stamp rotation on node a: the shared store changes, a drops its entry and publishes.
        users.Set(new UserKeyInputs("alice", "stamp-2", "hash-1"));
        var changed = Stopwatch.StartNew();
        a.Cache.Invalidate("alice");
        await WaitUntilAsync(async () => await b.AccessAsync(token) == TokenFailureReason.KeyInputsChanged, "node b revokes the token");
        Assert.InRange(changed.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        // And b caches again afterwards: the bus stays connected.
        var fresh = a.Issuer.Issue(new UserKeyInputs("alice", "stamp-2", "hash-1")).Token;
        Assert.Null(await b.AccessAsync(fresh));
        var calls = users.Calls;
        Assert.Null(await b.AccessAsync(fresh));
        Assert.Equal(calls, users.Calls);
    }

    [Fact]
    public async Task RedisDown_NodesReadThrough_AndRevokeAtOnce_ThenCacheAgainWhenItIsBack()
    {
        await using var server = await RedisServer.StartAsync();
        var users = new CountingUsers();
        var secret = NewSecret();
        await using var a = Node(server, secret, users);
        await using var b = Node(server, secret, users);
        await WaitUntilAsync(() => a.Bus!.IsConnected && b.Bus!.IsConnected, "both buses connected");
        var token = a.Issuer.Issue(users.Set(new UserKeyInputs("alice", "stamp-1", "hash-1"))).Token;
        Assert.Null(await b.AccessAsync(token));

        await server.StopAsync();
        await WaitUntilAsync(() => !a.Bus!.IsConnected && !b.Bus!.IsConnected, "both buses see the outage");

        // Valid tokens are still served, each from the store.
        var calls = users.Calls;
        Assert.Null(await b.AccessAsync(token));
        Assert.Null(await b.AccessAsync(token));
        Assert.Equal(calls + 2, users.Calls);

        // A change whose message cannot be delivered still revokes on the other node at the very next request.
        users.Set(new UserKeyInputs("alice", "stamp-2", "hash-1"));
        a.Cache.Invalidate("alice");
        Assert.Equal(TokenFailureReason.KeyInputsChanged, await b.AccessAsync(token));
        Assert.Contains(b.Logs.GetSnapshot(), r => r.Id.Id == 3004);

        await server.StartAgainAsync();
        await WaitUntilAsync(() => a.Bus!.IsConnected && b.Bus!.IsConnected, "both buses reconnected");
        var fresh = a.Issuer.Issue(new UserKeyInputs("alice", "stamp-2", "hash-1")).Token;
        Assert.Null(await b.AccessAsync(fresh));
        calls = users.Calls;
        Assert.Null(await b.AccessAsync(fresh));
        Assert.Equal(calls, users.Calls);
        Assert.Equal(TokenFailureReason.KeyInputsChanged, await b.AccessAsync(token));
    }

    [Fact]
    public async Task SubscriptionKilled_NodeStopsTrustingItsCacheUntilTheHeartbeatReturns()
    {
        await using var server = await RedisServer.StartAsync();
        var users = new CountingUsers();
        await using var a = Node(server, NewSecret(), users);
        await WaitUntilAsync(() => a.Bus!.IsConnected, "bus connected");
        using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");

        // Kill every pub/sub client connection: the node must notice (event or missing heartbeat) and then recover.
        await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await WaitUntilAsync(() => a.Logs.GetSnapshot().Any(r => r.Id.Id == 3004), "the node logs the channel as down");
        await WaitUntilAsync(() => a.Bus!.IsConnected, "bus reconnected");
        Assert.Contains(a.Logs.GetSnapshot(), r => r.Id.Id == 3005);
    }

    [Fact]
    public void Options_Invalid_FailAtStartupNamingEachSetting()
    {
        var services = new ServiceCollection();
        services.AddUserKeyedJwtRedisInvalidation(o =>
        {
            o.Configuration = " ";
            o.Channel = string.Empty;
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(10);
            o.HeartbeatTimeout = TimeSpan.FromMilliseconds(15);
            o.Timeout = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisUserKeyInvalidationOptions>>().Value);
        foreach (var setting in new[] { "Configuration", "Channel", "HeartbeatInterval", "HeartbeatTimeout", "Timeout" })
        {
            Assert.Contains($"UserKeyedJwt:RedisInvalidation:{setting}", error.Message, StringComparison.Ordinal);
        }
    }

    private static RedisNode Node(RedisServer server, string secret, IUserKeyInputsSource users) =>
        new(server.Configuration, secret, users, invalidation: o =>
        {
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
            o.HeartbeatTimeout = TimeSpan.FromMilliseconds(600);
            o.Timeout = TimeSpan.FromMilliseconds(500);
        });

    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < Patience, $"timed out waiting for: {what}");
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>The shared user store of both nodes; counts lookups.</summary>
    private sealed class CountingUsers : IUserKeyInputsSource
    {
        private readonly InMemoryUserKeyInputsSource _inner = new();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public UserKeyInputs Set(UserKeyInputs material)
        {
            _inner.Set(material);
            return material;
        }

        public ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return _inner.FindAsync(userId, cancellationToken);
        }
    }
}
