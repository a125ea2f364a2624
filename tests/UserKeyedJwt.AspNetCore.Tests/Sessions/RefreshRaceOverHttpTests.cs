using System.Net;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sessions;

/// <summary>
/// The reviewed scenario, over HTTP against the sample: a thief refreshes one stolen refresh token in a loop while the
/// victim revokes from another device. Every pair the thief ever obtained must be dead once the revocation has returned.
/// </summary>
public sealed class RefreshRaceOverHttpTests(SampleApp app) : IClassFixture<SampleApp>
{
    private const int Rounds = 12;

    public enum Revocation
    {
        LogoutAll,
        LogoutOthers,
        PasswordChange,
        AdminRevoke,
        AdminEndsSessions,
    }

    [Theory]
    [InlineData(Revocation.LogoutAll)]
    [InlineData(Revocation.LogoutOthers)]
    [InlineData(Revocation.PasswordChange)]
    [InlineData(Revocation.AdminRevoke)]
    [InlineData(Revocation.AdminEndsSessions)]
    public async Task ThiefLoop_RacingTheVictimsRevocation_NoPairSurvives(Revocation revocation)
    {
        using var thiefApi = app.Api();
        using var victimApi = app.Api();
        var admin = revocation is Revocation.AdminRevoke or Revocation.AdminEndsSessions ? await victimApi.LoginAdminAsync() : null;
        var survivals = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var user = await victimApi.NewUserAsync("victim");
            var stolen = await thiefApi.LoginPairAsync(user, "phone");
            var laptop = await victimApi.LoginPairAsync(user, "laptop");
            var obtained = new List<TokenPair> { stolen };
            var refreshesBefore = round % 4;

            var thief = Task.Run(async () =>
            {
                var current = stolen;
                for (var i = 0; i < 10_000; i++)
                {
                    var (status, pair) = await thiefApi.RefreshAsync(current.Refresh);
                    if (status != HttpStatusCode.OK)
                    {
                        return;
                    }

                    current = pair!;
                    lock (obtained)
                    {
                        obtained.Add(current);
                    }
                }

                Assert.Fail("the thief kept refreshing after the revocation");
            }, TestContext.Current.CancellationToken);
            var victim = Task.Run(async () =>
            {
                while (Count(obtained) <= refreshesBefore && !thief.IsCompleted)
                {
                    await Task.Yield();
                }

                // /manage/info answers the account's info (200); the logouts and the admin's routes answer 204.
                var expected = revocation == Revocation.PasswordChange ? HttpStatusCode.OK : HttpStatusCode.NoContent;
                Assert.Equal(expected, await RevokeAsync(victimApi, revocation, user, laptop, admin));
            }, TestContext.Current.CancellationToken);
            await Task.WhenAll(thief, victim);

            foreach (var pair in obtained)
            {
                if (await thiefApi.MeStatusAsync(pair.Access) == HttpStatusCode.OK || (await thiefApi.RefreshAsync(pair.Refresh)).Status == HttpStatusCode.OK)
                {
                    survivals.Add($"round {round}: pair {obtained.IndexOf(pair)} of {obtained.Count}");
                }
            }

            // Logging out the others spares the victim's own session; every other revocation ends it too.
            var victimAlive = await victimApi.MeStatusAsync(laptop.Access) == HttpStatusCode.OK;
            Assert.Equal(revocation == Revocation.LogoutOthers, victimAlive);
        }

        Assert.Empty(survivals);
    }

    private static int Count(List<TokenPair> obtained)
    {
        lock (obtained)
        {
            return obtained.Count;
        }
    }

    private static Task<HttpStatusCode> RevokeAsync(Api api, Revocation revocation, TestUser user, TokenPair laptop, string? admin) => revocation switch
    {
        Revocation.LogoutAll => api.LogoutAllAsync(laptop.Access),
        Revocation.LogoutOthers => api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/logoutOthers", laptop.Access),
        Revocation.PasswordChange => api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/manage/info", laptop.Access, new { oldPassword = user.Password, newPassword = Api.NewPassword() }),
        Revocation.AdminRevoke => api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/revoke", admin),
        _ => api.StatusAsync(HttpMethod.Delete, $"/admin/users/{user.Id}/sessions", admin),
    };
}
