using System.Net;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>
/// Instant revocation: after each credential change every earlier access and refresh token of the user is refused on the
/// next request, with the keys cached beforehand; and a stranger's failed logins, up to a lockout, end nothing.
/// </summary>
public sealed class IdentityApiRevocationTests
{
    [Theory]
    [MemberData(nameof(CredentialChange.Names), MemberType = typeof(CredentialChange))]
    public async Task CredentialChange_EndsEveryEarlierTokenOfTheUser_OnTheNextRequest(string name)
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var bystander = await Account.RegisterConfirmedAsync(host, client);
        var change = CredentialChange.All[name]();
        await change.PrepareAsync(account);

        var phone = await account.LoginAsync();
        var laptop = await account.LoginAsync();
        using (var refreshed = await client.RefreshAsync(laptop.Refresh))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            laptop = await TokenPair.ReadAsync(refreshed);
        }

        var bystanders = await bystander.LoginAsync();

        // Every key is cached before the change, so the refusals below are the cache's invalidation at work.
        await account.AssertWorksAsync(phone);
        await account.AssertWorksAsync(laptop);

        await change.CommitAsync(account);

        await account.AssertEndedAsync(phone);
        await account.AssertEndedAsync(laptop);
        await bystander.AssertWorksAsync(bystanders);
        await change.AssertCanLogInAgainAsync(account);
    }

    [Fact]
    public async Task StrangersFailedLogins_UpToALockout_KeepTheVictimsSessions()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.Lockout.MaxFailedAccessAttempts = 3);
        using var victimsClient = host.Client("Victim/1.0");
        using var strangersClient = host.Client("Stranger/6.6");
        var victim = await Account.RegisterConfirmedAsync(host, victimsClient);
        var pair = await victim.LoginAsync();
        await victim.AssertWorksAsync(pair);

        await Asserts.ProblemAsync(strangersClient.LoginAsync(victim.Email, "guess-1"), "Failed");
        await Asserts.ProblemAsync(strangersClient.LoginAsync(victim.Email, "guess-2"), "Failed");
        await Asserts.ProblemAsync(strangersClient.LoginAsync(victim.Email, "guess-3"), "LockedOut");
        await Asserts.ProblemAsync(strangersClient.LoginAsync(victim.Email, victim.Password), "LockedOut");

        await victim.AssertWorksAsync(pair);
        using var refreshed = await victimsClient.RefreshAsync(pair.Refresh);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        await victim.AssertWorksAsync(await TokenPair.ReadAsync(refreshed));
        Assert.Single(host.Logs.Entries, e => e.EventId.Id == 2103 && e.Text.Contains("sessions stay", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminUnlock_AlsoEndsTheSessionsOfTheLockedOutUser()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.Lockout.MaxFailedAccessAttempts = 1);
        using var client = host.Client();
        var account = await Account.RegisterConfirmedAsync(host, client);
        var pair = await account.LoginAsync();
        await Asserts.ProblemAsync(client.LoginAsync(account.Email, "wrong"), "LockedOut");
        await account.AssertWorksAsync(pair);

        await account.SetLockoutEndByAppAsync(null);

        await account.AssertEndedAsync(pair);
        await account.AssertWorksAsync(await account.LoginAsync());
    }
}
