using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Keys;

public class UserKeyCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cache_ManyUsers_NeverExceedsItsSize()
    {
        using var f = new CoreFixture(o => o.KeyCacheSize = 50);
        var cache = f.Services.GetRequiredService<UserKeyCache>();

        for (var i = 0; i < 500; i++)
        {
            var token = f.Issuer.Issue(f.AddUser(id: "u" + i)).Token;
            Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
            Assert.InRange(cache.Count, 0, 50);
        }
    }

    [Fact]
    public async Task Cache_ChangeAroundTheLibrary_IsSeenAfterTtl()
    {
        using var f = new CoreFixture(o => o.KeyCacheTtl = TimeSpan.FromSeconds(30));
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        // A direct store update, without Invalidate: served from cache until the TTL runs out.
        f.Users.Set(new UserKeyInputs("user-1", "stamp-2", "hash-1"));
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        f.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(TokenFailureReason.KeyInputsChanged, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public async Task Cache_Disabled_ReadsTheStoreEveryTime()
    {
        using var f = new CoreFixture(o => o.KeyCacheSize = 0);
        var token = f.Issuer.Issue(f.AddUser()).Token;

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        }

        Assert.Equal(3, f.Source.Calls);
    }

    [Fact]
    public async Task Cache_InvalidationDuringLookup_DoesNotCacheTheStaleKey()
    {
        // The lookup reads the old material; while it is in flight the user changes and the cache is invalidated.
        // The stale key must not land in the cache, or the old token would stay valid until the TTL.
        var racing = new RacingSource();
        using var f = new CoreFixture(source: racing);
        racing.Fixture = f;
        var old = new UserKeyInputs("user-1", "stamp-1", "hash-1");
        f.Users.Set(old);
        var token = f.Issuer.Issue(old).Token;

        var first = await f.Handler.ValidateAsync(token, cancellationToken: Ct);
        var second = await f.Handler.ValidateAsync(token, cancellationToken: Ct);

        Assert.True(first.IsValid); // judged on what the store said when asked
        Assert.Equal(TokenFailureReason.KeyInputsChanged, second.FailureReason);
    }

    private sealed class RacingSource : IUserKeyInputsSource
    {
        private int _calls;

        public CoreFixture? Fixture { get; set; }

        public async ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
        {
            var answer = await Fixture!.Users.FindAsync(userId, cancellationToken);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                Fixture.Users.Set(new UserKeyInputs(userId, "stamp-2", "hash-1"));
                Fixture.Cache.Invalidate(userId);
            }

            return answer;
        }
    }
}
