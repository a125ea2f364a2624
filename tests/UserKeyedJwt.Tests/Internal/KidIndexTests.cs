using System.Security.Cryptography;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Internal;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Internal;

/// <summary>
/// The warm path (D25): a token whose exact kid a cached key verified before skips the payload reader, the tag and the
/// lookup. These tests pin what it may never do: serve a key the cache no longer holds, accept another subject, or let a
/// lifetime failure through unclassified.
/// </summary>
public class KidIndexTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Warm_SecondValidation_IsFoundByKidWithoutALookup()
    {
        using var f = new CoreFixture();
        var cache = f.Services.GetRequiredService<UserKeyCache>();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var kid = new JsonWebToken(token).Kid;
        Assert.Null(cache.FindByKid(kid, TokenPurpose.Access));

        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var key = cache.FindByKid(kid, TokenPurpose.Access);
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        Assert.NotNull(key);
        Assert.Equal("user-1", key.UserId);
        Assert.Null(cache.FindByKid(kid, TokenPurpose.Refresh));
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task Warm_AfterInvalidate_IsNotFoundAndTheChangedUserIsRevoked()
    {
        using var f = new CoreFixture();
        var cache = f.Services.GetRequiredService<UserKeyCache>();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var kid = new JsonWebToken(token).Kid;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        f.Users.Set(new UserKeyMaterial("user-1", "stamp-2", "hash-1"));
        f.Cache.Invalidate("user-1");

        Assert.Null(cache.FindByKid(kid, TokenPurpose.Access));
        Assert.Equal(TokenFailureReason.Revoked, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public async Task Warm_AfterTheCacheTtl_IsNotFound()
    {
        using var f = new CoreFixture(o => o.KeyCacheTtl = TimeSpan.FromSeconds(30));
        var cache = f.Services.GetRequiredService<UserKeyCache>();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        f.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Null(cache.FindByKid(new JsonWebToken(token).Kid, TokenPurpose.Access));
    }

    [Fact]
    public async Task Warm_AfterClear_IsNotFound()
    {
        using var f = new CoreFixture();
        var cache = f.Services.GetRequiredService<UserKeyCache>();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        cache.Clear();

        Assert.Null(cache.FindByKid(new JsonWebToken(token).Kid, TokenPurpose.Access));
    }

    [Fact]
    public void RememberKid_KeyTheCacheDoesNotHold_IsNeverFound()
    {
        using var f = new CoreFixture();
        var cache = f.Services.GetRequiredService<UserKeyCache>();
        var secret = f.Services.GetRequiredService<ServerSecretRingProvider>().Current.Active;
        var key = UserSigningKey.Derive(secret, new UserKeyMaterial("user-1", "stamp-1", "hash-1"), TokenPurpose.Access, forIssuing: true);

        cache.RememberKid(key, key.KeyId);

        Assert.Null(cache.FindByKid(key.KeyId, TokenPurpose.Access));
    }

    [Fact]
    public async Task Warm_GenuineKidWithAnotherSubject_IsForgedWithoutALookup()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        f.AddUser(id: "user-2");
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var calls = f.Source.Calls;

        var result = await f.Handler.ValidateAsync(Tokens.WithPayloadClaim(token, "sub", "user-2"), cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.Forged, result.FailureReason);
        Assert.Equal(calls, f.Source.Calls);
    }

    [Fact]
    public async Task Warm_Expired_IsExpiredWithoutALookup()
    {
        using var f = new CoreFixture(o => o.KeyCacheTtl = TimeSpan.FromHours(1));
        var token = f.Issuer.Issue(f.AddUser(), lifetime: TimeSpan.FromMinutes(5)).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        f.Time.Advance(TimeSpan.FromMinutes(5) + f.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<UserKeyedJwtOptions>>().Value.ClockSkew + TimeSpan.FromSeconds(1));

        Assert.Equal(TokenFailureReason.Expired, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task Warm_NotBeforeInTheFuture_IsNotYetValid()
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
    public async Task Warm_TamperedSignature_IsTampered()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        Assert.Equal(TokenFailureReason.Tampered, (await f.Handler.ValidateAsync(tampered, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public async Task Warm_ManyUsersSharingSets_EachStillValidatesAndRevokesAlone()
    {
        // A cache of 64 users has 64 index slots: with 200 users, sets overflow and slots are overwritten, which must only
        // ever cost the full path, never a wrong answer.
        using var f = new CoreFixture(o => o.KeyCacheSize = 64);
        var tokens = Enumerable.Range(0, 200).Select(i => f.Issuer.Issue(f.AddUser(id: "u" + i)).Token).ToArray();
        for (var round = 0; round < 3; round++)
        {
            foreach (var token in tokens)
            {
                Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
            }
        }

        f.Users.Set(new UserKeyMaterial("u7", "stamp-2", "hash-1"));
        f.Cache.Invalidate("u7");

        for (var i = 0; i < tokens.Length; i++)
        {
            var result = await f.Handler.ValidateAsync(tokens[i], cancellationToken: Ct);
            Assert.Equal(i != 7, result.IsValid);
        }
    }

    [Fact]
    public async Task Miss_RevokedTokenReplayed_ReadsTheStoreOnce()
    {
        // A fresh key claims the token's kid until the signature check (D26); when that fails, the key's own kid is computed
        // and cached, so replays of the revoked token are answered from the cache.
        using var f = new CoreFixture(o => o.AccessTokenLifetime = TimeSpan.FromHours(1));
        var token = f.Issuer.Issue(f.AddUser()).Token;
        f.Users.Set(new UserKeyMaterial("user-1", "stamp-2", "hash-1"));

        // Issued well before the cache fill: otherwise the token might be newer than the cached key, and the store decides (D20).
        f.Time.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TokenFailureReason.Revoked, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        }

        Assert.Equal(1, f.Source.Calls);
        var fresh = f.Issuer.Issue(new UserKeyMaterial("user-1", "stamp-2", "hash-1")).Token;
        Assert.True((await f.Handler.ValidateAsync(fresh, cancellationToken: Ct)).IsValid);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task Miss_TamperedSignature_IsTamperedAndCachesTheTrueKid()
    {
        using var f = new CoreFixture();
        var cache = f.Services.GetRequiredService<UserKeyCache>();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        Assert.Equal(TokenFailureReason.Tampered, (await f.Handler.ValidateAsync(tampered, cancellationToken: Ct)).FailureReason);
        var cached = cache.Find("user-1", f.Services.GetRequiredService<ServerSecretRingProvider>().Current.Active, TokenPurpose.Access);

        Assert.NotNull(cached);
        Assert.True(cached.KidConfirmed);
        Assert.True(cached.MatchesKid(new JsonWebToken(token).Kid));
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public void ClaimingKid_IsNeverCachedOrIndexedUntilSettled()
    {
        using var f = new CoreFixture();
        var cache = f.Services.GetRequiredService<UserKeyCache>();
        var secret = f.Services.GetRequiredService<ServerSecretRingProvider>().Current.Active;
        var genuine = UserSigningKey.Derive(secret, new UserKeyMaterial("user-1", "stamp-1", "hash-1"), TokenPurpose.Access, forIssuing: true);
        var claiming = UserSigningKey.ClaimingKid(secret, new UserKeyMaterial("user-1", "stamp-2", "hash-1"), TokenPurpose.Access, genuine.KeyId);

        cache.Add(claiming, cache.Epoch);
        cache.RememberKid(claiming, genuine.KeyId);

        Assert.False(claiming.KidConfirmed);
        Assert.Null(cache.Find("user-1", secret, TokenPurpose.Access));
        Assert.Null(cache.FindByKid(genuine.KeyId, TokenPurpose.Access));
        claiming.ComputeOwnKid();
        Assert.False(claiming.MatchesKid(genuine.KeyId));
    }

    [Fact]
    public void KeyBytes_IsTheKeyIdentityModelHolds()
    {
        // Pins the accessor to SymmetricSecurityKey's private field: an IdentityModel that renames it fails here.
        using var f = new CoreFixture();
        var secret = f.Services.GetRequiredService<ServerSecretRingProvider>().Current.Active;
        var key = UserSigningKey.Derive(secret, new UserKeyMaterial("user-1", "stamp-1", "hash-1"), TokenPurpose.Access);

        Assert.Equal(key.Key, key.KeyBytes);
        Assert.Same(key.KeyBytes, key.KeyBytes);
    }

    [Property(MaxTest = 200)]
    public bool DeriveForVerifiedKid_IsTheKeyDeriveMakes(string stamp, string hash, bool matchingFingerprint)
    {
        using var f = new CoreFixture();
        var secret = f.Services.GetRequiredService<ServerSecretRingProvider>().Current.Active;
        var material = new UserKeyMaterial("user-1", stamp, hash);
        var expected = UserSigningKey.Derive(secret, material, TokenPurpose.Access, forIssuing: true);

        // The tag the caller verified is genuine for the fingerprint it names; with another fingerprint the tag is computed.
        var tokenKid = matchingFingerprint
            ? expected.KeyId
            : UserSigningKey.Derive(secret, new UserKeyMaterial("user-1", stamp + "x", hash), TokenPurpose.Access, forIssuing: true).KeyId;
        TokenShape.TryParseKid(tokenKid, out _, out var fingerprint, out var tag);
        var actual = UserSigningKey.DeriveForVerifiedKid(secret, material, TokenPurpose.Access, tokenKid.AsSpan(fingerprint), tokenKid.AsSpan(tag));

        return actual.MatchesKid(expected.KeyId) && actual.Key.AsSpan().SequenceEqual(expected.Key)
            && actual.MatchesKid(tokenKid) == matchingFingerprint;
    }

    [Property(MaxTest = 500)]
    public bool FixedTimeEqual_AgreesWithTheFrameworkComparison(byte[] left, byte[] right, bool sameLength, bool equal)
    {
        left ??= [];
        right ??= [];
        if (equal)
        {
            right = [.. left];
        }
        else if (sameLength)
        {
            right = [.. left];
            if (right.Length > 0)
            {
                right[right.Length / 2] ^= 1;
            }
        }

        return FixedTime.Equal(left, right) == CryptographicOperations.FixedTimeEquals(left, right);
    }
}
