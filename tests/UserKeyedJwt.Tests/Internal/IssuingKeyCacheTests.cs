using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Internal;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Internal;

public class IssuingKeyCacheTests
{
    [Fact]
    public void Get_SameMaterialTwice_ReusesTheCredentialsWithTheSameKid()
    {
        using var f = new CoreFixture();
        var (ring, cache) = (f.Services.GetRequiredService<ServerSecretRingProvider>().Current, new IssuingKeyCache());
        var user = f.AddUser();

        var first = cache.Get(ring, ring.Active, user, TokenPurpose.Access);
        var second = cache.Get(ring, ring.Active, new UserKeyMaterial(user.UserId, user.SecurityStamp, user.PasswordHash), TokenPurpose.Access);

        Assert.Same(first, second);
        Assert.Equal(UserSigningKey.Derive(ring.Active, user, TokenPurpose.Access, forIssuing: true).KeyId, first.Key.KeyId);
    }

    [Theory]
    [InlineData("stamp")]
    [InlineData("hash")]
    [InlineData("extra")]
    [InlineData("purpose")]
    public void Get_AnyKeyInputChanged_DerivesTheNewKey(string change)
    {
        using var f = new CoreFixture();
        var (ring, cache) = (f.Services.GetRequiredService<ServerSecretRingProvider>().Current, new IssuingKeyCache());
        var user = f.AddUser();
        var first = cache.Get(ring, ring.Active, user, TokenPurpose.Access);

        var (changed, purpose) = change switch
        {
            "stamp" => (new UserKeyMaterial(user.UserId, "stamp-2", user.PasswordHash), TokenPurpose.Access),
            "hash" => (new UserKeyMaterial(user.UserId, user.SecurityStamp, "hash-2"), TokenPurpose.Access),
            "extra" => (new UserKeyMaterial(user.UserId, user.SecurityStamp, user.PasswordHash, new Dictionary<string, string?> { ["tenant"] = "t" }), TokenPurpose.Access),
            _ => (user, TokenPurpose.Refresh),
        };
        var second = cache.Get(ring, ring.Active, changed, purpose);

        Assert.NotSame(first, second);
        Assert.NotEqual(first.Key.KeyId, second.Key.KeyId);
        Assert.Equal(UserSigningKey.Derive(ring.Active, changed, purpose, forIssuing: true).KeyId, second.Key.KeyId);
    }

    [Fact]
    public void Get_UsersSharingASlot_EachGetTheirOwnKey()
    {
        using var f = new CoreFixture();
        var (ring, cache) = (f.Services.GetRequiredService<ServerSecretRingProvider>().Current, new IssuingKeyCache());
        var users = Enumerable.Range(0, 4 * IssuingKeyCache.Size).Select(i => new UserKeyMaterial("user-" + i, "s", "h")).ToArray();

        foreach (var user in users.Concat(users))
        {
            var credentials = cache.Get(ring, ring.Active, user, TokenPurpose.Access);
            Assert.Equal(user.UserId, ((UserSigningKey)credentials.Key).UserId);
            Assert.Equal(UserSigningKey.Derive(ring.Active, user, TokenPurpose.Access, forIssuing: true).KeyId, credentials.Key.KeyId);
        }
    }

    [Fact]
    public async Task Issue_AfterTheStampChanged_OldTokenIsRevokedAndNewOneValid()
    {
        using var f = new CoreFixture();
        var user = f.AddUser();
        var old = f.Issuer.Issue(user).Token;
        Assert.Equal(old.Split('.')[0], f.Issuer.Issue(user).Token.Split('.')[0]); // same kid from the cached key

        var changed = f.AddUser(stamp: "stamp-2");
        f.Cache.Invalidate(user.UserId);
        var fresh = f.Issuer.Issue(changed).Token;

        Assert.NotEqual(new JsonWebToken(old).Kid, new JsonWebToken(fresh).Kid);
        Assert.Equal(TokenFailureReason.Revoked, (await f.Handler.ValidateAsync(old, cancellationToken: TestContext.Current.CancellationToken)).FailureReason);
        Assert.True((await f.Handler.ValidateAsync(fresh, cancellationToken: TestContext.Current.CancellationToken)).IsValid);
    }

    [Fact]
    public async Task Issue_AfterTheRingReloadedWithANewActiveSecret_SignsUnderTheNewSecret()
    {
        var ring = new RingControl(("s1", CoreFixture.NewSecret()));
        using var f = new CoreFixture(ring: ring);
        var user = f.AddUser();
        Assert.StartsWith("s1.", new JsonWebToken(f.Issuer.Issue(user).Token).Kid, StringComparison.Ordinal);

        ring.Secrets.Add(("s2", CoreFixture.NewSecret()));
        ring.Active = "s2";
        ring.Reload();
        var token = f.Issuer.Issue(user).Token;

        Assert.StartsWith("s2.", new JsonWebToken(token).Kid, StringComparison.Ordinal);
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: TestContext.Current.CancellationToken)).IsValid);
    }
}
