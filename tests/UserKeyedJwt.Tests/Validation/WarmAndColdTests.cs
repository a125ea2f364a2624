using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Validation;

/// <summary>
/// What the key cache may and may not change: how many store reads a token costs. It never changes a verdict, never serves
/// a key it no longer holds, and never lets a subject the server did not sign reach the store.
/// </summary>
public class WarmAndColdTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Warm_GenuineKidWithAnotherSubject_IsInvalidKidTagWithoutALookup()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        f.AddUser(id: "user-2");
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var calls = f.Source.Calls;

        var result = await f.Handler.ValidateAsync(Tokens.WithPayloadClaim(token, "sub", "user-2"), cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.InvalidKidTag, result.FailureReason);
        Assert.Equal(calls, f.Source.Calls);
    }

    [Fact]
    public async Task Warm_Expired_IsExpiredWithoutALookup()
    {
        using var f = new CoreFixture(o => o.KeyCacheTtl = TimeSpan.FromHours(1));
        var token = f.Issuer.Issue(f.AddUser(), lifetime: TimeSpan.FromMinutes(5)).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        f.Time.Advance(TimeSpan.FromMinutes(5) + f.Services.GetRequiredService<IOptions<UserKeyedJwtOptions>>().Value.ClockSkew + TimeSpan.FromSeconds(1));

        Assert.Equal(TokenFailureReason.Expired, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task Warm_NotBeforeEditedIntoTheFuture_IsNotYetValidWithoutALookup()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var future = f.Time.GetUtcNow().AddHours(1).ToUnixTimeSeconds();

        var result = await f.Handler.ValidateAsync(Tokens.WithPayloadClaim(token, "nbf", future), cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.NotYetValid, result.FailureReason);
        Assert.Equal(1, f.Source.Calls);
    }

    [Theory]
    [InlineData("exp", "\"soon\"")]
    [InlineData("exp", "1e400")]
    [InlineData("exp", "-1")]
    [InlineData("exp", "null")]
    [InlineData("exp", "[1,2]")]
    [InlineData("nbf", "\"now\"")]
    [InlineData("nbf", "{}")]
    [InlineData("sub", "42")]
    [InlineData("sub", "[\"user-1\"]")]
    [InlineData("iss", "7")]
    [InlineData("aud", "{}")]
    [InlineData("iat", "\"x\"")]
    public async Task Warm_HostileClaimValue_IsAFailureNeverAnException(string claim, string json)
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var hostile = Tokens.WithPayloadClaim(token, claim, System.Text.Json.Nodes.JsonNode.Parse(json));

        var result = await f.Handler.ValidateAsync(hostile, cancellationToken: Ct);

        Assert.False(result.IsValid);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task Warm_TamperedSignature_IsInvalidSignature()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        Assert.Equal(TokenFailureReason.InvalidSignature, (await f.Handler.ValidateAsync(tampered, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public async Task Warm_AfterTheCacheTtl_ReadsTheStoreAgain()
    {
        using var f = new CoreFixture(o => o.KeyCacheTtl = TimeSpan.FromSeconds(30));
        var token = f.Issuer.Issue(f.AddUser(), lifetime: TimeSpan.FromMinutes(5)).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        f.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        Assert.Equal(2, f.Source.Calls);
    }

    [Fact]
    public async Task Warm_ManyMoreUsersThanTheCacheHolds_EachStillValidatesAndRevokesAlone()
    {
        using var f = new CoreFixture(o => o.KeyCacheSize = 64);
        var tokens = Enumerable.Range(0, 200).Select(i => f.Issuer.Issue(f.AddUser(id: "u" + i)).Token).ToArray();
        for (var round = 0; round < 3; round++)
        {
            foreach (var token in tokens)
            {
                Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
            }
        }

        f.Users.Set(new UserKeyInputs("u7", "stamp-2", "hash-1"));
        f.Cache.Invalidate("u7");

        for (var i = 0; i < tokens.Length; i++)
        {
            var result = await f.Handler.ValidateAsync(tokens[i], cancellationToken: Ct);
            Assert.Equal(i != 7, result.IsValid);
        }
    }

    [Fact]
    public async Task Cold_RevokedTokenReplayed_ReadsTheStoreOnce()
    {
        using var f = new CoreFixture(o => o.AccessTokenLifetime = TimeSpan.FromHours(1));
        var token = f.Issuer.Issue(f.AddUser()).Token;
        f.Users.Set(new UserKeyInputs("user-1", "stamp-2", "hash-1"));

        // Issued well before the key is cached: a token that may be newer than the cached key would ask the store instead.
        f.Time.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TokenFailureReason.KeyInputsChanged, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        }

        Assert.Equal(1, f.Source.Calls);
        var fresh = f.Issuer.Issue(new UserKeyInputs("user-1", "stamp-2", "hash-1")).Token;
        Assert.True((await f.Handler.ValidateAsync(fresh, cancellationToken: Ct)).IsValid);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task Cold_TamperedSignature_CachesTheUsersKeySoTheGenuineTokenNeedsNoRead()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        Assert.Equal(TokenFailureReason.InvalidSignature, (await f.Handler.ValidateAsync(tampered, cancellationToken: Ct)).FailureReason);
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task Cold_UnknownUser_CachesNothing()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(new UserKeyInputs("ghost", "s", "h")).Token;
        var cache = f.Services.GetRequiredService<UserKeyCache>();

        Assert.Equal(TokenFailureReason.UnknownUser, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        Assert.Equal(TokenFailureReason.UnknownUser, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);

        Assert.Equal(0, cache.Count);
        Assert.Equal(2, f.Source.Calls);
    }
}
