using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Sessions;

/// <summary>
/// "X revokes Y" while Y is being refreshed: a revocation that commits at any point of a refresh leaves no token of the
/// revoked session alive, whether the refresh then succeeds or not.
/// </summary>
public sealed class RefreshRaceTests
{
    public enum Revocation
    {
        PasswordChange,
        StampRotation,
        LogoutAll,
        LogoutOthers,
        AdminEndsTheSession,
    }

    public enum Moment
    {
        WhileTheRefreshTokenIsValidated,
        AfterTheRefreshReadTheStores,
        BeforeTheCompareAndSet,
        WhileTheClaimsAreRead,
        AfterTheRefreshReturned,
    }

    public static TheoryData<Revocation, Moment> EveryRevocationAtEveryMoment()
    {
        var data = new TheoryData<Revocation, Moment>();
        foreach (var revocation in Enum.GetValues<Revocation>())
        {
            foreach (var moment in Enum.GetValues<Moment>())
            {
                data.Add(revocation, moment);
            }
        }

        return data;
    }

    public static TheoryData<Revocation> EveryRevocation() => [.. Enum.GetValues<Revocation>()];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(EveryRevocationAtEveryMoment))]
    public async Task Refresh_RevocationCommitsDuringIt_NoTokenOfTheSessionSurvives(Revocation revocation, Moment moment)
    {
        using var f = new SessionFixture();
        var user = f.AddUser();
        var stolen = await f.StartAsync(user, "phone");
        var victim = await f.StartAsync(user, "laptop");
        if (moment != Moment.WhileTheRefreshTokenIsValidated)
        {
            // A warm key: the refresh's own read of the stores is then the only one, and the hook runs there.
            Assert.Null(await f.RefreshValidAsync(stolen.RefreshToken.Token));
        }

        Task Revoke() => RevokeAsync(f, revocation, stolen, victim);
        switch (moment)
        {
            case Moment.WhileTheRefreshTokenIsValidated:
            case Moment.AfterTheRefreshReadTheStores:
                f.Store.AfterFind = Revoke;
                break;
            case Moment.BeforeTheCompareAndSet:
                f.Store.BeforeAdvance = Revoke;
                break;
        }

        var result = await f.Sessions.RefreshAsync(stolen.RefreshToken.Token, async (_, _) =>
        {
            if (moment == Moment.WhileTheClaimsAreRead)
            {
                await Revoke();
            }

            return [];
        }, Ct);
        if (moment == Moment.AfterTheRefreshReturned)
        {
            await Revoke();
        }

        Assert.Null(f.Store.AfterFind);
        Assert.Null(f.Store.BeforeAdvance);
        Assert.False(await f.AnyAliveAsync(stolen), "the stolen pair survived");
        if (result.Tokens is { } minted)
        {
            Assert.False(await f.AnyAliveAsync(minted), $"the refresh minted a pair that outlives {revocation}");
        }

        // Logging out the others, or ending one session, spares the victim's own.
        var spared = revocation is Revocation.LogoutOthers or Revocation.AdminEndsTheSession;
        Assert.Equal(spared, await f.AccessAsync(victim.AccessToken.Token) is null);
    }

    [Theory]
    [MemberData(nameof(EveryRevocation))]
    public async Task ThiefLoop_RacingTheRevocation_KeepsNoTokenAlive(Revocation revocation)
    {
        for (var round = 0; round < 20; round++)
        {
            using var f = new SessionFixture();
            var user = f.AddUser();
            var stolen = await f.StartAsync(user, "phone");
            var victim = await f.StartAsync(user, "laptop");
            var obtained = new List<SessionTokens> { stolen };
            var refreshesBeforeRevocation = 1 + (round % 7);

            var thief = Task.Run(async () =>
            {
                var current = stolen;
                for (var i = 0; i < 100_000; i++)
                {
                    var result = await f.RefreshAsync(current.RefreshToken.Token);
                    if (!result.Succeeded)
                    {
                        return;
                    }

                    current = result.Tokens!;
                    lock (obtained)
                    {
                        obtained.Add(current);
                    }
                }

                Assert.Fail("the thief kept refreshing after the revocation");
            }, Ct);
            var victimPresses = Task.Run(async () =>
            {
                while (Count(obtained) <= refreshesBeforeRevocation && !thief.IsCompleted)
                {
                    await Task.Yield();
                }

                await RevokeAsync(f, revocation, stolen, victim);
            }, Ct);
            await Task.WhenAll(thief, victimPresses);

            foreach (var pair in obtained)
            {
                Assert.False(await f.AnyAliveAsync(pair), $"round {round}: a pair the thief obtained survived {revocation}");
            }
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(30, 16)]
    public async Task Refresh_OneTokenRedeemedInParallel_AdvancesTheSessionOnce(int graceSeconds, int expectedSucceeded)
    {
        using var f = new SessionFixture(o => o.RefreshReuseGraceWindow = TimeSpan.FromSeconds(graceSeconds));
        var tokens = await f.StartAsync(f.AddUser());

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => f.RefreshAsync(tokens.RefreshToken.Token), Ct)));

        Assert.Equal(expectedSucceeded, results.Count(r => r.Succeeded));
        Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal(1, r.Tokens!.Session.Generation));
        if (graceSeconds == 0)
        {
            // The losers presented a generation the winner had consumed: reuse, which ends the session, the winner's pair with it.
            Assert.Equal(15, results.Count(r => r.ReuseDetected || r.FailureReason == TokenFailureReason.SessionEnded));
            Assert.Null(await f.Store.FindAsync(tokens.Session.Id, Ct));
            Assert.False(await f.AnyAliveAsync(results.Single(r => r.Succeeded).Tokens!));
        }
        else
        {
            Assert.Equal(1, (await f.Store.FindAsync(tokens.Session.Id, Ct))!.Generation);
        }
    }

    private static int Count(List<SessionTokens> obtained)
    {
        lock (obtained)
        {
            return obtained.Count;
        }
    }

    private static async Task RevokeAsync(SessionFixture f, Revocation revocation, SessionTokens stolen, SessionTokens victim)
    {
        var userId = stolen.Session.UserId;
        switch (revocation)
        {
            case Revocation.PasswordChange:
                f.AddUser(userId, hash: "hash-2");
                break;
            case Revocation.StampRotation:
                f.AddUser(userId, stamp: "stamp-2");
                break;
            case Revocation.LogoutAll:
                await f.Sessions.EndAllAsync(userId, null, SessionEndReason.LogoutAll, userId, Ct);
                break;
            case Revocation.LogoutOthers:
                await f.Sessions.EndAllAsync(userId, victim.Session.Id, SessionEndReason.LogoutOthers, userId, Ct);
                break;
            case Revocation.AdminEndsTheSession:
                await f.Sessions.EndAsync(userId, stolen.Session.Id, SessionEndReason.Ended, "admin-1", Ct);
                break;
        }
    }
}
