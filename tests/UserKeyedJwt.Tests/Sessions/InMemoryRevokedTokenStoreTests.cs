using Microsoft.Extensions.Time.Testing;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Sessions;

public sealed class InMemoryRevokedTokenStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IsRevoked_ByTokenIdOrSessionId_UntilExpiry_ThenForgotten()
    {
        var time = new FakeTimeProvider(CoreFixture.Start);
        var store = new InMemoryRevokedTokenStore(time, 100);
        await store.RevokeTokenAsync("jti-1", CoreFixture.Start.AddMinutes(10), Ct);
        await store.RevokeSessionAsync("sid-1", CoreFixture.Start.AddDays(1), Ct);

        Assert.True(await store.IsRevokedAsync("jti-1", null, Ct));
        Assert.True(await store.IsRevokedAsync("other", "sid-1", Ct));
        Assert.False(await store.IsRevokedAsync("other", "sid-2", Ct));

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.False(await store.IsRevokedAsync("jti-1", null, Ct));
        Assert.True(await store.IsRevokedAsync("other", "sid-1", Ct));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task Revoke_AlreadyExpiredToken_KeepsNothing()
    {
        var time = new FakeTimeProvider(CoreFixture.Start);
        var store = new InMemoryRevokedTokenStore(time, 100);
        await store.RevokeTokenAsync("old", CoreFixture.Start.AddSeconds(-1), Ct);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Revoke_WhenFull_SweepsExpiredFirst_ThenRefusesRatherThanDropALiveEntry()
    {
        var time = new FakeTimeProvider(CoreFixture.Start);
        var store = new InMemoryRevokedTokenStore(time, 3);
        await store.RevokeTokenAsync("a", CoreFixture.Start.AddMinutes(1), Ct);
        await store.RevokeTokenAsync("b", CoreFixture.Start.AddMinutes(1), Ct);
        await store.RevokeTokenAsync("c", CoreFixture.Start.AddHours(1), Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.RevokeTokenAsync("d", CoreFixture.Start.AddHours(1), Ct).AsTask());
        Assert.True(await store.IsRevokedAsync("a", null, Ct));

        time.Advance(TimeSpan.FromMinutes(2));
        await store.RevokeTokenAsync("d", CoreFixture.Start.AddHours(1), Ct);
        Assert.Equal(2, store.Count);
        Assert.True(await store.IsRevokedAsync("c", null, Ct));
        Assert.True(await store.IsRevokedAsync("d", null, Ct));
    }

    [Fact]
    public async Task TryConsume_OnlyTheFirstCallWins_AndLaterCallsSeeTheFirstTime()
    {
        var time = new FakeTimeProvider(CoreFixture.Start);
        var store = new InMemoryRevokedTokenStore(time, 100);
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => store.TryConsumeAsync("rt", CoreFixture.Start, CoreFixture.Start.AddDays(1), Ct).AsTask(), Ct)));
        Assert.Single(results, r => r is null);
        Assert.All(results.Where(r => r is not null), r => Assert.Equal(CoreFixture.Start, r));

        time.Advance(TimeSpan.FromDays(1));
        Assert.Null(await store.TryConsumeAsync("rt", time.GetUtcNow(), time.GetUtcNow().AddDays(1), Ct));
    }
}
