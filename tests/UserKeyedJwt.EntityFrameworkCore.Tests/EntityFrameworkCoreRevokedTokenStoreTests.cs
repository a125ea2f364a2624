using UserKeyedJwt.EntityFrameworkCore.Tests.Support;
using static UserKeyedJwt.EntityFrameworkCore.Tests.Support.Sessions;

namespace UserKeyedJwt.EntityFrameworkCore.Tests;

/// <summary>The denylist's contract (<see cref="IRevokedTokenStore"/>), run on each real database.</summary>
public abstract class EntityFrameworkCoreRevokedTokenStoreTests : IAsyncLifetime
{
    private const int MaxPerUser = 100;

    private TestDatabase? _database;

    protected TestDatabase Database => _database!;

    private IRevokedTokenStore Store => Database.RevokedTokens;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _database = await CreateDatabaseAsync();

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    [Fact]
    public async Task RevokeAsync_ThenListAsync_ReturnsTheUsersLiveTokens()
    {
        var first = Random(16);
        var second = Random(16);
        Assert.True(await Store.RevokeAsync("alice", first, Start.AddMinutes(15), MaxPerUser, Start, Ct));
        Assert.True(await Store.RevokeAsync("alice", second, Start.AddMinutes(30), MaxPerUser, Start, Ct));
        Assert.True(await Store.RevokeAsync("bob", Random(16), Start.AddMinutes(30), MaxPerUser, Start, Ct));

        Assert.Equal(new[] { first, second }.Order(), (await Store.ListAsync("alice", Start, Ct)).Order());
        Assert.Equal([second], await Store.ListAsync("alice", Start.AddMinutes(15), Ct));
        Assert.Empty(await Store.ListAsync("alice", Start.AddMinutes(30), Ct));
        Assert.Empty(await Store.ListAsync("carol", Start, Ct));
    }

    [Fact]
    public async Task RevokeAsync_ExpiryWithAFraction_IsKeptUntilTheNextWholeSecond()
    {
        var token = Random(16);
        Assert.True(await Store.RevokeAsync("alice", token, Start.AddMinutes(15).AddMilliseconds(1), MaxPerUser, Start, Ct));

        Assert.Equal([token], await Store.ListAsync("alice", Start.AddMinutes(15).AddMilliseconds(500), Ct));
        Assert.Empty(await Store.ListAsync("alice", Start.AddMinutes(15).AddSeconds(1), Ct));
    }

    [Fact]
    public async Task RevokeAsync_UserAtTheBound_IsRefused_UntilAnEntryExpires()
    {
        var tokens = Enumerable.Range(0, MaxPerUser).Select(_ => Random(16)).ToList();
        for (var i = 0; i < MaxPerUser; i++)
        {
            // The first entry expires soonest.
            Assert.True(await Store.RevokeAsync("alice", tokens[i], Start.AddMinutes(10 + i), MaxPerUser, Start, Ct));
        }

        var extra = Random(16);
        Assert.False(await Store.RevokeAsync("alice", extra, Start.AddHours(1), MaxPerUser, Start, Ct));
        Assert.DoesNotContain(extra, await Store.ListAsync("alice", Start, Ct));
        Assert.True(await Store.RevokeAsync("bob", Random(16), Start.AddHours(1), MaxPerUser, Start, Ct));
        Assert.True(await Store.RevokeAsync("alice", tokens[5], Start.AddHours(1), MaxPerUser, Start, Ct));

        Assert.True(await Store.RevokeAsync("alice", extra, Start.AddHours(1), MaxPerUser, Start.AddMinutes(10), Ct));
        var alices = (await Database.RevokedTokenRowsAsync()).Where(t => t.UserId == "alice").Select(t => t.TokenId).ToList();
        Assert.Equal(MaxPerUser, alices.Count);
        Assert.DoesNotContain(tokens[0], alices);
        Assert.Contains(extra, alices);
    }

    [Fact]
    public async Task RevokeAsync_ExpiredEntriesDoNotCount_AndAreDeleted()
    {
        for (var i = 0; i < MaxPerUser; i++)
        {
            Assert.True(await Store.RevokeAsync("alice", Random(16), Start.AddMinutes(10), MaxPerUser, Start, Ct));
        }

        var bobs = Random(16);
        Assert.True(await Store.RevokeAsync("bob", bobs, Start.AddMinutes(5), MaxPerUser, Start, Ct));
        var later = Random(16);

        Assert.True(await Store.RevokeAsync("alice", later, Start.AddHours(1), MaxPerUser, Start.AddMinutes(10), Ct));
        var rows = await Database.RevokedTokenRowsAsync();
        Assert.Equal([("alice", later), ("bob", bobs)], rows.Select(t => (t.UserId, t.TokenId)));
    }

    [Fact]
    public async Task RevokeAsync_TokenRevokedAlready_KeepsTheLaterExpiry()
    {
        var token = Random(16);
        Assert.True(await Store.RevokeAsync("alice", token, Start.AddMinutes(30), MaxPerUser, Start, Ct));
        Assert.True(await Store.RevokeAsync("alice", token, Start.AddMinutes(10), MaxPerUser, Start, Ct));
        Assert.Equal([token], await Store.ListAsync("alice", Start.AddMinutes(20), Ct));

        Assert.True(await Store.RevokeAsync("alice", token, Start.AddMinutes(40), MaxPerUser, Start, Ct));
        Assert.Equal([token], await Store.ListAsync("alice", Start.AddMinutes(35), Ct));
        Assert.Single(await Database.RevokedTokenRowsAsync());
    }

    [Fact]
    public async Task RevokeAsync_IdLongerThanItsColumn_ThrowsArgumentException()
    {
        var tokenId = new string('j', UserKeyedRevokedTokenEntity.MaxTokenIdLength + 1);
        var userId = new string('u', UserKeyInputs.MaxUserIdLength + 1);

        Assert.Equal("tokenId", (await Assert.ThrowsAsync<ArgumentException>(() => Store.RevokeAsync("alice", tokenId, Start.AddHours(1), MaxPerUser, Start, Ct).AsTask())).ParamName);
        Assert.Equal("userId", (await Assert.ThrowsAsync<ArgumentException>(() => Store.RevokeAsync(userId, "jti", Start.AddHours(1), MaxPerUser, Start, Ct).AsTask())).ParamName);
        Assert.Empty(await Database.RevokedTokenRowsAsync());
        Assert.True(await Store.RevokeAsync(userId[1..], tokenId[1..], Start.AddHours(1), MaxPerUser, Start, Ct));
    }

    [Fact]
    public async Task RevokeAsync_ConcurrentAtTheBound_AdmitsExactlyTheBound()
    {
        const int Callers = 16;
        const int Bound = 5;
        var tokens = Enumerable.Range(0, Callers).Select(_ => Random(16)).ToList();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = tokens.Select(token => Task.Run(async () =>
        {
            await gate.Task;
            return await Store.RevokeAsync("alice", token, Start.AddHours(1), Bound, Start, Ct);
        }, Ct)).ToList();
        gate.SetResult();

        var results = await Task.WhenAll(calls);
        Assert.Equal(Bound, results.Count(revoked => revoked));
        var listed = await Store.ListAsync("alice", Start, Ct);
        Assert.Equal(tokens.Where((_, i) => results[i]).Order(), listed.Order());
    }

    [Fact]
    public async Task RemoveExpiredAsync_DeletesOnlyExpiredEntries()
    {
        var live = Random(16);
        Assert.True(await Store.RevokeAsync("alice", Random(16), Start.AddMinutes(5), MaxPerUser, Start, Ct));
        Assert.True(await Store.RevokeAsync("bob", Random(16), Start.AddMinutes(10), MaxPerUser, Start, Ct));
        Assert.True(await Store.RevokeAsync("alice", live, Start.AddMinutes(10).AddSeconds(1), MaxPerUser, Start, Ct));

        Assert.Equal(2, await Store.RemoveExpiredAsync(Start.AddMinutes(10), Ct));
        Assert.Equal([live], (await Database.RevokedTokenRowsAsync()).Select(t => t.TokenId));
        Assert.Equal(0, await Store.RemoveExpiredAsync(Start.AddMinutes(10), Ct));
    }
}
