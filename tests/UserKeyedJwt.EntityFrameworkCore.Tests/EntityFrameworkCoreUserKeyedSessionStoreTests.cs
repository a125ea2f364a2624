using UserKeyedJwt.EntityFrameworkCore.Tests.Support;
using static UserKeyedJwt.EntityFrameworkCore.Tests.Support.Sessions;

namespace UserKeyedJwt.EntityFrameworkCore.Tests;

/// <summary>The session store's contract (<see cref="IUserKeyedSessionStore"/>), run on each real database.</summary>
public abstract class EntityFrameworkCoreUserKeyedSessionStoreTests : IAsyncLifetime
{
    private TestDatabase? _database;

    protected TestDatabase Database => _database!;

    private IUserKeyedSessionStore Store => Database.Sessions;

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
    public async Task AddAsync_ThenFindAsync_ReturnsTheSessionAsAdded()
    {
        var session = New("alice", lastRefreshedAt: Start.AddMinutes(5), createdAt: Start, expiresAt: Start.AddDays(30), generation: 7, device: "Firefox on Linux");
        var withoutDevice = New("alice");

        Assert.Empty(await Store.AddAsync(session, 10, Ct));
        Assert.Empty(await Store.AddAsync(withoutDevice, 10, Ct));

        var found = await Store.FindAsync(session.Id, Ct);
        Assert.NotNull(found);
        Assert.Equal((session.Id, session.UserId, session.Secret, session.CreatedAt, session.LastRefreshedAt, session.ExpiresAt, session.Generation, session.Device),
            (found.Id, found.UserId, found.Secret, found.CreatedAt, found.LastRefreshedAt, found.ExpiresAt, found.Generation, found.Device));
        Assert.Null((await Store.FindAsync(withoutDevice.Id, Ct))!.Device);
        Assert.Null(await Store.FindAsync(Random(16), Ct));
    }

    [Fact]
    public async Task AddAsync_TimeWithAFraction_IsKeptRoundedDown()
    {
        var session = New("alice", createdAt: Start.AddMilliseconds(900), lastRefreshedAt: Start.AddSeconds(1).AddMilliseconds(500), expiresAt: Start.AddDays(1).AddMilliseconds(999));
        await Store.AddAsync(session, 10, Ct);

        var found = (await Store.FindAsync(session.Id, Ct))!;
        Assert.Equal((Start, Start.AddSeconds(1), Start.AddDays(1)), (found.CreatedAt, found.LastRefreshedAt, found.ExpiresAt));
    }

    [Fact]
    public async Task ListAsync_ReturnsOnlyTheUsersSessions_MostRecentlyRefreshedFirst()
    {
        var sessions = new[] { 3, 1, 4, 2 }.Select(minutes => New("alice", lastRefreshedAt: Start.AddMinutes(minutes))).ToList();
        foreach (var session in sessions)
        {
            await Store.AddAsync(session, 10, Ct);
        }

        await Store.AddAsync(New("bob", lastRefreshedAt: Start.AddMinutes(9)), 10, Ct);

        var listed = await Store.ListAsync("alice", Ct);
        Assert.Equal(sessions.OrderByDescending(s => s.LastRefreshedAt).Select(s => s.Id), listed.Select(s => s.Id));
        Assert.Empty(await Store.ListAsync("carol", Ct));
    }

    [Fact]
    public async Task AddAsync_BeyondTheCap_DeletesTheSessionsRefreshedLongestAgo_AndReturnsTheirIds()
    {
        var oldest = New("alice", lastRefreshedAt: Start);
        var middle = New("alice", lastRefreshedAt: Start.AddMinutes(1));
        var newest = New("alice", lastRefreshedAt: Start.AddMinutes(2));
        foreach (var session in new[] { oldest, middle, newest })
        {
            Assert.Empty(await Store.AddAsync(session, 3, Ct));
        }

        // A refresh makes the oldest the most recent: the one to go is then the middle one.
        Assert.True(await Store.TryAdvanceAsync(oldest.Id, 0, Start.AddMinutes(3), Ct));
        var bobs = New("bob", lastRefreshedAt: Start.AddMinutes(-10));
        await Store.AddAsync(bobs, 3, Ct);
        var added = New("alice", lastRefreshedAt: Start.AddMinutes(4));

        Assert.Equal([middle.Id], await Store.AddAsync(added, 3, Ct));
        Assert.Equal([added.Id, oldest.Id, newest.Id], (await Store.ListAsync("alice", Ct)).Select(s => s.Id));
        Assert.NotNull(await Store.FindAsync(bobs.Id, Ct));

        var capOne = New("alice", lastRefreshedAt: Start.AddMinutes(5));
        var removed = await Store.AddAsync(capOne, 1, Ct);
        Assert.Equal(new[] { added.Id, oldest.Id, newest.Id }.Order(), removed.Order());
        Assert.Equal([capOne.Id], (await Store.ListAsync("alice", Ct)).Select(s => s.Id));
    }

    [Fact]
    public async Task AddAsync_AtTheCapWithinOneSecond_KeepsTheNewSession()
    {
        var earlier = new List<UserKeyedSession>();
        for (var i = 0; i < 3; i++)
        {
            earlier.Add(New("alice", lastRefreshedAt: Start));
            await Store.AddAsync(earlier[^1], 3, Ct);
        }

        var added = New("alice", lastRefreshedAt: Start);
        var removed = await Store.AddAsync(added, 3, Ct);

        var removedId = Assert.Single(removed);
        Assert.Contains(removedId, earlier.Select(s => s.Id));
        Assert.NotNull(await Store.FindAsync(added.Id, Ct));
        Assert.Null(await Store.FindAsync(removedId, Ct));
        Assert.Equal(3, (await Store.ListAsync("alice", Ct)).Count);
    }

    [Fact]
    public async Task AddAsync_FieldLongerThanItsColumn_ThrowsArgumentException_AndWritesNothing()
    {
        var tooLong = new[]
        {
            New("alice", id: new string('i', UserKeyedSessionEntity.MaxIdLength + 1)),
            New(new string('u', UserKeyInputs.MaxUserIdLength + 1)),
            new UserKeyedSession(Random(16), "alice", new string('s', UserKeyedSessionEntity.MaxSecretLength + 1), Start, Start, Start.AddDays(1), 0, null),
            New("alice", device: new string('d', UserKeyedSession.MaxDeviceLength + 1)),
        };

        foreach (var session in tooLong)
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.AddAsync(session, 10, Ct).AsTask());
            Assert.DoesNotContain(session.Secret, e.Message, StringComparison.Ordinal);
        }

        Assert.Empty(await Database.SessionRowsAsync());
        await Store.AddAsync(New("alice", id: new string('i', UserKeyedSessionEntity.MaxIdLength), device: new string('d', UserKeyedSession.MaxDeviceLength)), 10, Ct);
        Assert.Single(await Database.SessionRowsAsync());
    }

    [Fact]
    public async Task TryAdvanceAsync_TheStoredGeneration_AdvancesItOnce_AndRecordsTheRefresh()
    {
        var session = New("alice", lastRefreshedAt: Start, generation: 4);
        await Store.AddAsync(session, 10, Ct);

        Assert.True(await Store.TryAdvanceAsync(session.Id, 4, Start.AddMinutes(10).AddMilliseconds(700), Ct));
        Assert.False(await Store.TryAdvanceAsync(session.Id, 4, Start.AddMinutes(11), Ct));

        var found = (await Store.FindAsync(session.Id, Ct))!;
        Assert.Equal((5L, Start.AddMinutes(10)), (found.Generation, found.LastRefreshedAt));
        Assert.Equal((session.Secret, session.CreatedAt, session.ExpiresAt), (found.Secret, found.CreatedAt, found.ExpiresAt));
    }

    [Fact]
    public async Task TryAdvanceAsync_WrongGenerationOrUnknownSession_ReturnsFalse_AndChangesNothing()
    {
        var session = New("alice", lastRefreshedAt: Start, generation: 2);
        await Store.AddAsync(session, 10, Ct);

        Assert.False(await Store.TryAdvanceAsync(session.Id, 1, Start.AddMinutes(1), Ct));
        Assert.False(await Store.TryAdvanceAsync(session.Id, 3, Start.AddMinutes(1), Ct));
        Assert.False(await Store.TryAdvanceAsync(Random(16), 2, Start.AddMinutes(1), Ct));

        var found = (await Store.FindAsync(session.Id, Ct))!;
        Assert.Equal((2L, Start), (found.Generation, found.LastRefreshedAt));
    }

    [Fact]
    public async Task TryAdvanceAsync_SessionThatHasEnded_ReturnsFalse()
    {
        var session = New("alice", lastRefreshedAt: Start, expiresAt: Start.AddHours(1));
        await Store.AddAsync(session, 10, Ct);

        Assert.False(await Store.TryAdvanceAsync(session.Id, 0, Start.AddHours(1), Ct));
        Assert.False(await Store.TryAdvanceAsync(session.Id, 0, Start.AddHours(2), Ct));
        Assert.True(await Store.TryAdvanceAsync(session.Id, 0, Start.AddHours(1).AddSeconds(-1), Ct));
    }

    [Fact]
    public async Task TryAdvanceAsync_ConcurrentCallsWithOneGeneration_ExactlyOneSucceeds()
    {
        const int Callers = 16;
        const int Rounds = 5;
        var session = New("alice", lastRefreshedAt: Start);
        await Store.AddAsync(session, 10, Ct);

        for (var generation = 0; generation < Rounds; generation++)
        {
            // Each caller on its own context and connection, all released at once.
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var expected = generation;
            var calls = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
            {
                await gate.Task;
                return await Store.TryAdvanceAsync(session.Id, expected, Start.AddMinutes(expected + 1), Ct);
            }, Ct)).ToList();
            gate.SetResult();

            var results = await Task.WhenAll(calls);
            Assert.Equal(1, results.Count(advanced => advanced));
        }

        Assert.Equal(Rounds, (await Store.FindAsync(session.Id, Ct))!.Generation);
    }

    [Fact]
    public async Task RemoveAsync_OnlyTheOwnersSession()
    {
        var alices = New("alice");
        await Store.AddAsync(alices, 10, Ct);

        Assert.False(await Store.RemoveAsync("bob", alices.Id, Ct));
        Assert.NotNull(await Store.FindAsync(alices.Id, Ct));
        Assert.True(await Store.RemoveAsync("alice", alices.Id, Ct));
        Assert.Null(await Store.FindAsync(alices.Id, Ct));
        Assert.False(await Store.RemoveAsync("alice", alices.Id, Ct));
    }

    [Fact]
    public async Task RemoveAllAsync_ExceptOne_DeletesTheUsersOthers_AndReturnsTheirIds()
    {
        var alices = Enumerable.Range(0, 4).Select(i => New("alice", lastRefreshedAt: Start.AddMinutes(i))).ToList();
        var bobs = New("bob");
        foreach (var session in alices.Append(bobs))
        {
            await Store.AddAsync(session, 10, Ct);
        }

        var removed = await Store.RemoveAllAsync("alice", alices[2].Id, Ct);

        Assert.Equal(alices.Where((_, i) => i != 2).Select(s => s.Id).Order(), removed.Order());
        Assert.Equal([alices[2].Id], (await Store.ListAsync("alice", Ct)).Select(s => s.Id));
        Assert.NotNull(await Store.FindAsync(bobs.Id, Ct));

        Assert.Equal([alices[2].Id], await Store.RemoveAllAsync("alice", null, Ct));
        Assert.Empty(await Store.ListAsync("alice", Ct));
        Assert.Empty(await Store.RemoveAllAsync("alice", null, Ct));
        Assert.NotNull(await Store.FindAsync(bobs.Id, Ct));
    }

    [Fact]
    public async Task RemoveExpiredAsync_DeletesEndedAndInactiveSessions_KeepsTheRest()
    {
        var now = Start.AddDays(10);
        var inactiveSince = now.AddDays(-7);
        var ended = New("alice", lastRefreshedAt: now.AddMinutes(-1), createdAt: Start, expiresAt: now);
        var inactive = New("alice", lastRefreshedAt: inactiveSince.AddSeconds(-1), createdAt: Start, expiresAt: now.AddDays(20));
        var lastActiveAtTheLimit = New("alice", lastRefreshedAt: inactiveSince, createdAt: Start, expiresAt: now.AddDays(20));
        var endsInOneSecond = New("alice", lastRefreshedAt: now.AddMinutes(-1), createdAt: Start, expiresAt: now.AddSeconds(1));
        var live = New("bob", lastRefreshedAt: now.AddMinutes(-1), createdAt: Start, expiresAt: now.AddDays(20));
        foreach (var session in new[] { ended, inactive, lastActiveAtTheLimit, endsInOneSecond, live })
        {
            await Store.AddAsync(session, 10, Ct);
        }

        Assert.Equal(2, await Store.RemoveExpiredAsync(now, inactiveSince, Ct));
        Assert.Equal(new[] { lastActiveAtTheLimit.Id, endsInOneSecond.Id, live.Id }.Order(), (await Database.SessionRowsAsync()).Select(s => s.Id).Order());

        // A fraction of a second past the last refresh is inactive; a fraction of a second short of the end has not ended.
        Assert.Equal(1, await Store.RemoveExpiredAsync(now.AddMilliseconds(999), inactiveSince.AddMilliseconds(1), Ct));
        Assert.Equal(new[] { endsInOneSecond.Id, live.Id }.Order(), (await Database.SessionRowsAsync()).Select(s => s.Id).Order());
        Assert.Equal(1, await Store.RemoveExpiredAsync(now.AddSeconds(1), inactiveSince, Ct));
        Assert.Equal([live.Id], (await Database.SessionRowsAsync()).Select(s => s.Id));
    }
}
