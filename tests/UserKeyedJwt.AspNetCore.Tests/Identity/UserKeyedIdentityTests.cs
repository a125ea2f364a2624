using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.AspNetCore.Tests.Identity;

/// <summary>The Identity integration's options and services, in the sample app.</summary>
public sealed class UserKeyedIdentityTests(SampleApp app) : IClassFixture<SampleApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IssueAsync_UserWithRolesAndClaims_ReturnsTokenExpiryAndClaimsThatValidate()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        await app.ChangeUserAsync(user.Id, (users, u) => users.AddToRoleAsync(u, "admin"));
        await app.ChangeUserAsync(user.Id, (users, u) => users.AddClaimsAsync(u, [new Claim("tier", "gold"), new Claim("sub", "attacker")]));

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SampleUser>>();
        var issued = await scope.ServiceProvider.GetRequiredService<IUserTokenService<SampleUser>>().IssueAsync((await users.FindByIdAsync(user.Id))!, Ct);

        Assert.Equal(TimeSpan.FromMinutes(10), issued.Lifetime);
        Assert.Equal(user.Id, issued.UserId);
        Assert.DoesNotContain(issued.Token, issued.ToString(), StringComparison.Ordinal);
        var validated = await app.Services.GetRequiredService<UserKeyedTokenHandler>().ValidateAsync(issued.Token, cancellationToken: Ct);
        Assert.True(validated.IsValid, validated.FailureReason?.ToString());
        Assert.Equal(user.Id, validated.UserId);
        var claims = validated.Identity!.Claims.ToList();
        Assert.Contains(claims, c => c.Type == "role" && c.Value == "admin");
        Assert.Contains(claims, c => c.Type == "name" && c.Value == user.Email);
        Assert.Contains(claims, c => c.Type == "tier" && c.Value == "gold");
        Assert.Equal(user.Id, Assert.Single(claims, c => c.Type == "sub").Value);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(issued.Token));
    }

    [Fact]
    public async Task FindAsync_KnownAndUnknownUser_ReadsIdentityStoreInFreshScope()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var source = app.Services.GetRequiredService<IUserKeyInputsSource>();

        var material = await source.FindAsync(user.Id, Ct);
        var missing = await source.FindAsync(Guid.NewGuid().ToString(), Ct);

        await using var scope = app.Services.CreateAsyncScope();
        var stored = (await scope.ServiceProvider.GetRequiredService<UserManager<SampleUser>>().FindByIdAsync(user.Id))!;
        Assert.NotNull(material);
        Assert.Equal(user.Id, material.UserId);
        Assert.Equal(stored.SecurityStamp, material.SecurityStamp);
        Assert.Equal(stored.PasswordHash, material.PasswordHash);
        Assert.Empty(material.ExtraInputs);
        Assert.Null(missing);
    }

    [Fact]
    public async Task ExtraKeyInputs_DisplayNameMapped_ProfileChangeRevokesEarlierTokens()
    {
        await using var keyed = SampleApp.Create(configureServices: services =>
            services.Configure<UserKeyedIdentityOptions<SampleUser>>(o =>
                o.ExtraKeyInputs = u => new Dictionary<string, string?> { ["displayName"] = u.DisplayName }));
        using var api = keyed.Api();
        var token = await api.LoginAsync(await api.NewUserAsync());
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Put, "/me/profile", token, new { displayName = "Now a key input" }));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task RotateSecurityStampOn_RolesExcluded_RoleChangeKeepsTokensButClaimChangeRevokes()
    {
        await using var lax = SampleApp.Create(configureServices: services =>
            services.Configure<UserKeyedIdentityOptions<SampleUser>>(o =>
                o.RotateSecurityStampOn = SecurityStampRotation.All & ~(SecurityStampRotation.AddToRole | SecurityStampRotation.RemoveFromRole)));
        using var api = lax.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/roles/editor", await api.LoginAdminAsync()));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        Assert.True((await lax.ChangeUserAsync(user.Id, (users, u) => users.AddClaimAsync(u, new Claim("tier", "gold")))).Succeeded);
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task AddClaimAsync_SingleClaim_RotatesStampExactlyOnce()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var before = app.Logs.Entries.Count(e => e.EventId.Id == 2003 && e.Text.Contains(user.Id, StringComparison.Ordinal));

        Assert.True((await app.ChangeUserAsync(user.Id, (users, u) => users.AddClaimAsync(u, new Claim("tier", "gold")))).Succeeded);

        var rotations = app.Logs.Entries.Where(e => e.EventId.Id == 2003 && e.Text.Contains(user.Id, StringComparison.Ordinal)).ToList();
        Assert.Equal(before + 1, rotations.Count);
        Assert.Contains("AddClaimAsync", rotations[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddToRoleAsync_RoleAlreadyHeld_FailsWithoutRotating()
    {
        using var api = app.Api();
        var user = await api.NewUserAsync();
        Assert.True((await app.ChangeUserAsync(user.Id, (users, u) => users.AddToRoleAsync(u, "admin"))).Succeeded);
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));

        var again = await app.ChangeUserAsync(user.Id, (users, u) => users.AddToRoleAsync(u, "admin"));

        Assert.False(again.Succeeded);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }
}
