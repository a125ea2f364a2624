using Microsoft.Extensions.Time.Testing;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Sessions;

public sealed class InMemoryUserKeyedSessionStoreTests
{
    private static readonly DateTimeOffset Now = CoreFixture.Start;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TryAdvance_ConcurrentCallsWithOneGeneration_ExactlyOneWins()
    {
        var store = new InMemoryUserKeyedSessionStore(new FakeTimeProvider(Now));
        await store.AddAsync(Session("s1", "u1"), 10, Ct);

        var wins = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => store.TryAdvanceAsync("s1", 0, Now.AddSeconds(1), Ct).AsTask(), Ct)));

        Assert.Single(wins, won => won);
        var stored = (await store.FindAsync("s1", Ct))!;
        Assert.Equal((1L, Now.AddSeconds(1)), (stored.Generation, stored.LastRefreshedAt));
    }

    [Fact]
    public async Task TryAdvance_WrongGenerationEndedOrMissingSession_ChangesNothing()
    {
        var store = new InMemoryUserKeyedSessionStore(new FakeTimeProvider(Now));
        await store.AddAsync(Session("s1", "u1", expiresAt: Now.AddDays(1)), 10, Ct);

        Assert.False(await store.TryAdvanceAsync("s1", 1, Now, Ct));
        Assert.False(await store.TryAdvanceAsync("s1", 0, Now.AddDays(1), Ct));
        Assert.False(await store.TryAdvanceAsync("missing", 0, Now, Ct));
        Assert.Equal(0, (await store.FindAsync("s1", Ct))!.Generation);
    }

    [Fact]
    public async Task Add_BeyondTheCap_DeletesTheSessionsRefreshedLongestAgo_OfThatUserOnly()
    {
        var store = new InMemoryUserKeyedSessionStore(new FakeTimeProvider(Now));
        await store.AddAsync(Session("old", "u1", refreshed: Now.AddMinutes(-3)), 2, Ct);
        await store.AddAsync(Session("mid", "u1", refreshed: Now.AddMinutes(-2)), 2, Ct);
        await store.AddAsync(Session("other", "u2", refreshed: Now.AddMinutes(-9)), 2, Ct);

        var removed = await store.AddAsync(Session("new", "u1", refreshed: Now), 2, Ct);

        Assert.Equal(["old"], removed);
        Assert.Equal(["new", "mid"], (await store.ListAsync("u1", Ct)).Select(s => s.Id));
        Assert.NotNull(await store.FindAsync("other", Ct));
    }

    [Fact]
    public async Task Add_BeyondTheCap_OnATie_KeepsTheNewSession()
    {
        var store = new InMemoryUserKeyedSessionStore(new FakeTimeProvider(Now));
        await store.AddAsync(Session("first", "u1"), 1, Ct);

        Assert.Equal(["first"], await store.AddAsync(Session("second", "u1"), 1, Ct));
        Assert.NotNull(await store.FindAsync("second", Ct));
    }

    [Fact]
    public async Task Remove_AnotherUsersSession_IsRefused()
    {
        var store = new InMemoryUserKeyedSessionStore(new FakeTimeProvider(Now));
        await store.AddAsync(Session("s1", "u1"), 10, Ct);
        Assert.False(await store.RemoveAsync("u2", "s1", Ct));
        Assert.True(await store.RemoveAsync("u1", "s1", Ct));
        Assert.False(await store.RemoveAsync("u1", "s1", Ct));
    }

    [Fact]
    public async Task RemoveAll_KeepsTheExceptedSessionAndOtherUsers()
    {
        var store = new InMemoryUserKeyedSessionStore(new FakeTimeProvider(Now));
        foreach (var (id, user) in new[] { ("a", "u1"), ("b", "u1"), ("c", "u1"), ("d", "u2") })
        {
            await store.AddAsync(Session(id, user), 10, Ct);
        }

        Assert.Equal(["a", "c"], (await store.RemoveAllAsync("u1", "b", Ct)).Order());
        Assert.Equal(["b"], (await store.ListAsync("u1", Ct)).Select(s => s.Id));
        Assert.Equal(["b"], await store.RemoveAllAsync("u1", null, Ct));
        Assert.Single(await store.ListAsync("u2", Ct));
    }

    [Fact]
    public async Task RemoveExpired_DeletesEndedAndInactiveSessions()
    {
        var store = new InMemoryUserKeyedSessionStore(new FakeTimeProvider(Now));
        await store.AddAsync(Session("ended", "u1", expiresAt: Now), 10, Ct);
        await store.AddAsync(Session("idle", "u1", refreshed: Now.AddDays(-8)), 10, Ct);
        await store.AddAsync(Session("live", "u1", refreshed: Now.AddDays(-1)), 10, Ct);

        Assert.Equal(2, await store.RemoveExpiredAsync(Now, Now.AddDays(-7), Ct));
        Assert.Equal(["live"], (await store.ListAsync("u1", Ct)).Select(s => s.Id));
    }

    [Fact]
    public async Task Add_WhenFull_DropsEndedSessionsFirst_ThenRefusesNamingTheSetting()
    {
        var time = new FakeTimeProvider(Now);
        var store = new InMemoryUserKeyedSessionStore(time, capacity: 2);
        await store.AddAsync(Session("a", "u1", expiresAt: Now.AddMinutes(1)), 10, Ct);
        await store.AddAsync(Session("b", "u2"), 10, Ct);

        var full = await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddAsync(Session("c", "u3"), 10, Ct).AsTask());
        Assert.Contains("UserKeyedJwt:Sessions:InMemoryStoreCapacity", full.Message, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMinutes(1));
        await store.AddAsync(Session("c", "u3"), 10, Ct);
        Assert.Equal(2, store.Count);
        Assert.Null(await store.FindAsync("a", Ct));
    }

    [Fact]
    public async Task List_RefreshedInTheSameSecond_NewestFirstThenById()
    {
        var store = new InMemoryUserKeyedSessionStore(new FakeTimeProvider(Now));
        await store.AddAsync(new UserKeyedSession("b", "u1", "secret-b", Now.AddDays(-2), Now, Now.AddDays(30), 0, null), 10, Ct);
        await store.AddAsync(new UserKeyedSession("c", "u1", "secret-c", Now.AddDays(-1), Now, Now.AddDays(30), 0, null), 10, Ct);
        await store.AddAsync(new UserKeyedSession("a", "u1", "secret-a", Now.AddDays(-2), Now, Now.AddDays(30), 0, null), 10, Ct);
        await store.AddAsync(Session("d", "u1", refreshed: Now.AddSeconds(1)), 10, Ct);

        Assert.Equal(["d", "c", "a", "b"], (await store.ListAsync("u1", Ct)).Select(s => s.Id));
    }

    private static UserKeyedSession Session(string id, string userId, DateTimeOffset? refreshed = null, DateTimeOffset? expiresAt = null) =>
        new(id, userId, "secret-" + id, Now.AddDays(-10), refreshed ?? Now, expiresAt ?? Now.AddDays(30), 0, null);
}
