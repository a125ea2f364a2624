using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Sessions;

public sealed class InMemoryRevokedTokenStoreTests
{
    private static readonly DateTimeOffset Now = CoreFixture.Start;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_ReturnsTheUsersLiveEntriesOnly()
    {
        var store = new InMemoryRevokedTokenStore();
        Assert.True(await store.RevokeAsync("u1", "a", Now.AddMinutes(10), 10, Now, Ct));
        Assert.True(await store.RevokeAsync("u1", "b", Now.AddMinutes(1), 10, Now, Ct));
        Assert.True(await store.RevokeAsync("u2", "c", Now.AddMinutes(10), 10, Now, Ct));

        Assert.Equal(["a", "b"], (await store.ListAsync("u1", Now, Ct)).Order());
        Assert.Equal(["a"], await store.ListAsync("u1", Now.AddMinutes(1), Ct));
        Assert.Empty(await store.ListAsync("nobody", Now, Ct));
    }

    [Fact]
    public async Task Revoke_WhenTheUserIsFull_IsRefused_UntilAnEntryExpires_AndOtherUsersAreUnaffected()
    {
        var store = new InMemoryRevokedTokenStore();
        Assert.True(await store.RevokeAsync("u1", "a", Now.AddMinutes(1), 2, Now, Ct));
        Assert.True(await store.RevokeAsync("u1", "b", Now.AddHours(1), 2, Now, Ct));

        Assert.False(await store.RevokeAsync("u1", "c", Now.AddHours(1), 2, Now, Ct));
        // Revoking an entry the user already has takes no room.
        Assert.True(await store.RevokeAsync("u1", "b", Now.AddHours(2), 2, Now, Ct));
        Assert.True(await store.RevokeAsync("u2", "c", Now.AddHours(1), 2, Now, Ct));
        Assert.True(await store.RevokeAsync("u1", "c", Now.AddHours(1), 2, Now.AddMinutes(2), Ct));
        Assert.Equal(["b", "c"], (await store.ListAsync("u1", Now.AddMinutes(2), Ct)).Order());
    }

    [Fact]
    public async Task RemoveExpired_DeletesExpiredEntriesOfEveryUser()
    {
        var store = new InMemoryRevokedTokenStore();
        await store.RevokeAsync("u1", "a", Now.AddMinutes(1), 10, Now, Ct);
        await store.RevokeAsync("u2", "b", Now.AddMinutes(1), 10, Now, Ct);
        await store.RevokeAsync("u2", "c", Now.AddHours(1), 10, Now, Ct);

        Assert.Equal(2, await store.RemoveExpiredAsync(Now.AddMinutes(1), Ct));
        Assert.Equal(0, await store.RemoveExpiredAsync(Now.AddMinutes(1), Ct));
        Assert.Equal(["c"], await store.ListAsync("u2", Now, Ct));
    }
}
