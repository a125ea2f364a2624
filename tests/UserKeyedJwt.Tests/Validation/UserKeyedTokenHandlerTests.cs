using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Validation;

public class UserKeyedTokenHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ValidateAsync_FreshToken_IsValidWithSubjectAndClaims()
    {
        using var f = new CoreFixture();
        var issued = f.Issuer.Issue(f.AddUser(), [new Claim("role", "admin"), new Claim("role", "ops")]);

        var result = await f.Handler.ValidateAsync(issued.Token, cancellationToken: Ct);

        Assert.True(result.IsValid, result.FailureReason?.ToString());
        Assert.Equal("user-1", result.UserId);
        Assert.Equal(["admin", "ops"], result.Identity!.FindAll("role").Select(c => c.Value));
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task ValidateAsync_SecondValidation_IsServedFromCache()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;

        await f.Handler.ValidateAsync(token, cancellationToken: Ct);
        var second = await f.Handler.ValidateAsync(token, cancellationToken: Ct);

        Assert.True(second.IsValid);
        Assert.Equal(1, f.Source.Calls);
    }

    [Theory]
    [InlineData("stamp")]
    [InlineData("password")]
    [InlineData("extra")]
    public async Task ValidateAsync_KeyInputChanged_IsRevoked(string input)
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser(extra: new Dictionary<string, string?> { ["tenant"] = "a" })).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);

        _ = input switch
        {
            "stamp" => f.AddUser(stamp: "stamp-2", extra: new Dictionary<string, string?> { ["tenant"] = "a" }),
            "password" => f.AddUser(hash: "hash-2", extra: new Dictionary<string, string?> { ["tenant"] = "a" }),
            _ => f.AddUser(extra: new Dictionary<string, string?> { ["tenant"] = "b" }),
        };

        Assert.Equal(TokenFailureReason.KeyInputsChanged, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public async Task ValidateAsync_UserDeleted_IsUnknownUser()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        f.Users.Remove("user-1");
        f.Cache.Invalidate("user-1");

        Assert.Equal(TokenFailureReason.UnknownUser, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public async Task ValidateAsync_PastExpiryPlusSkew_IsExpiredWithoutLookup()
    {
        using var f = new CoreFixture(o => o.ClockSkew = TimeSpan.FromSeconds(30));
        var token = f.Issuer.Issue(f.AddUser(), lifetime: TimeSpan.FromMinutes(5)).Token;

        f.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30));
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid);
        var calls = f.Source.Calls;
        f.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TokenFailureReason.Expired, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        Assert.Equal(calls, f.Source.Calls);
    }

    [Fact]
    public async Task ValidateAsync_NotBeforeInFuture_IsNotYetValid()
    {
        var secret = CoreFixture.NewSecret();
        using var later = new CoreFixture(o => Use(o, secret), start: CoreFixture.Start.AddHours(1));
        using var now = new CoreFixture(o => Use(o, secret));
        var token = later.Issuer.Issue(now.AddUser()).Token;

        Assert.Equal(TokenFailureReason.NotYetValid, (await now.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        Assert.Equal(0, now.Source.Calls);
    }

    [Fact]
    public async Task ValidateAsync_RefreshTokenAsAccess_IsWrongPurpose()
    {
        using var f = new CoreFixture();
        var user = f.AddUser();
        var refresh = f.Issuer.Issue(user, purpose: TokenPurpose.Refresh).Token;
        var access = f.Issuer.Issue(user).Token;

        Assert.Equal(TokenFailureReason.WrongPurpose, (await f.Handler.ValidateAsync(refresh, TokenPurpose.Access, Ct)).FailureReason);
        Assert.Equal(TokenFailureReason.WrongPurpose, (await f.Handler.ValidateAsync(access, TokenPurpose.Refresh, Ct)).FailureReason);
        Assert.True((await f.Handler.ValidateAsync(refresh, TokenPurpose.Refresh, Ct)).IsValid);
        Assert.Equal(1, f.Source.Calls);
    }

    [Fact]
    public async Task ValidateAsync_RefreshTokenWithAccessTypeHeader_FailsSignature()
    {
        // Relabelling typ changes the signed header; and the purposes have different keys anyway.
        using var f = new CoreFixture();
        var refresh = f.Issuer.Issue(f.AddUser(), purpose: TokenPurpose.Refresh).Token;
        var parts = refresh.Split('.');
        var header = new JsonWebToken(refresh);
        var relabelled = Tokens.Encode(new Dictionary<string, string> { ["alg"] = "HS256", ["kid"] = header.Kid, ["typ"] = "at+jwt" }) + "." + parts[1] + "." + parts[2];

        var result = await f.Handler.ValidateAsync(relabelled, cancellationToken: Ct);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_PayloadAltered_IsTampered()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;

        var result = await f.Handler.ValidateAsync(Tokens.WithPayloadClaim(token, "jti", "another"), cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.InvalidSignature, result.FailureReason);
    }

    [Fact]
    public async Task ValidateAsync_CachedUserPayloadAltered_IsTampered()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(token, cancellationToken: Ct)).IsValid); // the key is now cached

        var result = await f.Handler.ValidateAsync(Tokens.WithPayloadClaim(token, "role", "admin"), cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.InvalidSignature, result.FailureReason);
    }

    [Fact]
    public async Task ValidateAsync_CachedUserWithForgedTag_IsInvalidKidTag()
    {
        using var f = new CoreFixture();
        var genuine = f.Issuer.Issue(f.AddUser()).Token;
        Assert.True((await f.Handler.ValidateAsync(genuine, cancellationToken: Ct)).IsValid);
        var kid = new JsonWebToken(genuine).Kid;
        var forgedKid = kid[..^22] + new string('A', 22);
        var forged = Tokens.Sign(new Dictionary<string, string> { ["alg"] = "HS256", ["kid"] = forgedKid, ["typ"] = "at+jwt" }, Tokens.Payload(f, "user-1"), new byte[32]);

        Assert.Equal(TokenFailureReason.InvalidKidTag, (await f.Handler.ValidateAsync(forged, cancellationToken: Ct)).FailureReason);
        Assert.Equal(1, f.Source.Calls);
    }

    [Theory]
    [InlineData(253402300799L)] // 9999-12-31T23:59:59Z
    [InlineData(253402300800L)] // past DateTime.MaxValue: IdentityModel reads it as DateTime.MaxValue
    [InlineData(long.MaxValue)]
    public async Task ValidateAsync_ExpiryAtOrPastTheEndOfTime_IsAResultNotAnException(long exp)
    {
        using var f = new CoreFixture();
        var kid = new JsonWebToken(f.Issuer.Issue(f.AddUser()).Token).Kid;
        var payload = Tokens.Payload(f, "user-1");
        payload["exp"] = exp;
        var token = Tokens.Sign(new Dictionary<string, string> { ["alg"] = "HS256", ["kid"] = kid, ["typ"] = "at+jwt" }, payload, new byte[32]);

        // The kid is genuine and the lifetime is not over, so only the signature can fail; lifetime arithmetic must not throw.
        Assert.Equal(TokenFailureReason.InvalidSignature, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public async Task ValidateAsync_SubjectSwapped_IsInvalidKidTagWithoutLookup()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        f.AddUser(id: "user-2");

        var result = await f.Handler.ValidateAsync(Tokens.WithPayloadClaim(token, "sub", "user-2"), cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.InvalidKidTag, result.FailureReason);
        Assert.Equal(0, f.Source.Calls);
    }

    [Fact]
    public async Task ValidateAsync_StoreThrows_IsStoreUnavailable()
    {
        var source = new ThrowingSource();
        using var f = new CoreFixture(source: source);
        var token = f.Issuer.Issue(new UserKeyInputs("user-1", "s", "h")).Token;

        var result = await f.Handler.ValidateAsync(token, cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.StoreUnavailable, result.FailureReason);
    }

    [Fact]
    public async Task ValidateAsync_StoreNeverAnswers_IsStoreUnavailableAfterTimeout()
    {
        var source = new HangingSource();
        using var f = new CoreFixture(o => o.StoreTimeout = TimeSpan.FromSeconds(2), source: source);
        var token = f.Issuer.Issue(new UserKeyInputs("user-1", "s", "h")).Token;

        var pending = f.Handler.ValidateAsync(token, cancellationToken: Ct);
        await source.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(pending.IsCompleted);
        f.Time.Advance(TimeSpan.FromSeconds(2));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(TokenFailureReason.StoreUnavailable, result.FailureReason);
    }

    [Fact]
    public async Task ValidateAsync_SourceAnswersWithAnotherUser_IsUnknownUser()
    {
        var source = new FixedSource(new UserKeyInputs("someone-else", "s", "h"));
        using var f = new CoreFixture(source: source);
        var token = f.Issuer.Issue(new UserKeyInputs("user-1", "s", "h")).Token;

        Assert.Equal(TokenFailureReason.UnknownUser, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public async Task ValidateTokenAsync_CallerParametersTryToWeakenChecks_AreOverridden()
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var forged = Tokens.WithPayloadClaim(token, "jti", "x");
        var permissive = new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireSignedTokens = false,
            SignatureValidator = (t, _) => new JsonWebToken(t),
            IssuerSigningKey = new SymmetricSecurityKey(new byte[32]),
            NameClaimType = "sub",
        };

        var tampered = await f.Handler.ValidateTokenAsync(forged, permissive);
        var genuine = await f.Handler.ValidateTokenAsync(token, permissive);

        Assert.False(tampered.IsValid);
        Assert.Equal(TokenFailureReason.InvalidSignature, Assert.IsType<UserKeyedTokenValidationException>(tampered.Exception).Reason);
        Assert.True(genuine.IsValid);
        Assert.Equal("user-1", genuine.ClaimsIdentity.Name); // the caller's claim mapping is kept
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("a.b.c.d.e")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTEifQ.")]
    public async Task ValidateAsync_Garbage_IsMalformedWithoutLookup(string token)
    {
        using var f = new CoreFixture();
        f.AddUser();

        var result = await f.Handler.ValidateAsync(token, cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.Malformed, result.FailureReason);
        Assert.Equal(0, f.Source.Calls);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("HS512")]
    [InlineData("RS256")]
    public async Task ValidateAsync_OtherAlgorithm_IsMalformed(string alg)
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var kid = new JsonWebToken(token).Kid;
        var forged = Tokens.Sign(new Dictionary<string, string> { ["alg"] = alg, ["kid"] = kid, ["typ"] = "at+jwt" }, Tokens.Payload(f, "user-1"), new byte[32]);

        Assert.Equal(TokenFailureReason.Malformed, (await f.Handler.ValidateAsync(forged, cancellationToken: Ct)).FailureReason);
        Assert.Equal(0, f.Source.Calls);
    }

    [Theory]
    [InlineData("jku", "https://evil.example/keys")]
    [InlineData("crit", "exp")]
    [InlineData("kid", "duplicate")]
    public async Task ValidateAsync_ExtraOrRepeatedHeader_IsMalformed(string name, string value)
    {
        using var f = new CoreFixture();
        var token = f.Issuer.Issue(f.AddUser()).Token;
        var parts = token.Split('.');
        var headerJson = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        var widened = headerJson.TrimEnd('}') + $",\"{name}\":\"{value}\"}}";

        var result = await f.Handler.ValidateAsync(Tokens.Encode(widened) + "." + parts[1] + "." + parts[2], cancellationToken: Ct);

        Assert.Equal(TokenFailureReason.Malformed, result.FailureReason);
    }

    [Fact]
    public async Task ValidateAsync_LongerThanLimit_IsMalformedBeforeParsing()
    {
        using var f = new CoreFixture(o => o.MaxTokenLength = 1024);
        var token = f.Issuer.Issue(f.AddUser(), [new Claim("pad", new string('x', 2000))]).Token;

        Assert.Equal(TokenFailureReason.Malformed, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
        Assert.Equal(0, f.Source.Calls);
    }

    [Fact]
    public async Task ValidateAsync_WrongIssuerOrAudience_IsMalformed()
    {
        var secret = CoreFixture.NewSecret();
        using var other = new CoreFixture(o => { Use(o, secret); o.Audience = "other-api"; });
        using var f = new CoreFixture(o => Use(o, secret));
        var token = other.Issuer.Issue(f.AddUser()).Token;

        Assert.Equal(TokenFailureReason.Malformed, (await f.Handler.ValidateAsync(token, cancellationToken: Ct)).FailureReason);
    }

    [Fact]
    public void Issue_ReservedClaim_Throws()
    {
        using var f = new CoreFixture();

        var ex = Assert.Throws<ArgumentException>(() => f.Issuer.Issue(f.AddUser(), [new Claim("sub", "admin")]));

        Assert.Contains("'sub'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_LifetimeAboveConfigured_Throws()
    {
        using var f = new CoreFixture(o => o.AccessTokenLifetime = TimeSpan.FromMinutes(10));

        Assert.Throws<ArgumentOutOfRangeException>(() => f.Issuer.Issue(f.AddUser(), lifetime: TimeSpan.FromMinutes(11)));
    }

    [Fact]
    public void Issue_Token_HasExactlyTheDocumentedHeaderAndTimes()
    {
        using var f = new CoreFixture();

        var issued = f.Issuer.Issue(f.AddUser(), lifetime: TimeSpan.FromMinutes(7));
        var jwt = new JsonWebToken(issued.Token);

        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Matches("^s1\\.[A-Za-z0-9_-]{11}\\.[A-Za-z0-9_-]{22}$", jwt.Kid);
        Assert.Equal(issued.TokenId, jwt.Id);
        Assert.Equal(CoreFixture.Start, new DateTimeOffset(jwt.IssuedAt));
        Assert.Equal(CoreFixture.Start.AddMinutes(7), issued.ExpiresAt);
        Assert.Equal(issued.ExpiresAt.UtcDateTime, jwt.ValidTo);
        Assert.DoesNotContain(issued.Token, issued.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_FromDependencyInjection_IsOneSingletonAndRegisteringTwiceIsHarmless()
    {
        using var f = new CoreFixture();
        var services = new ServiceCollection();
        services.AddSingleton<IUserKeyInputsSource>(f.Users);
        services.AddUserKeyedJwt(o => { o.Issuer = "i"; o.Audience = "a"; o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = CoreFixture.NewSecret() }); });
        services.AddUserKeyedJwt(o => o.AccessTokenLifetime = TimeSpan.FromMinutes(3));
        await using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<UserKeyedTokenHandler>(), provider.GetRequiredService<UserKeyedTokenHandler>());
        Assert.Single(services, d => d.ServiceType == typeof(UserKeyedTokenHandler));
        Assert.Equal(TimeSpan.FromMinutes(3), provider.GetRequiredService<UserKeyedTokenIssuer>().Issue(new UserKeyInputs("u", "s", "h")).Lifetime);
    }

    internal static void Use(UserKeyedJwtOptions o, string secret)
    {
        o.ServerSecrets.Clear();
        o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = secret });
    }

    private sealed class ThrowingSource : IUserKeyInputsSource
    {
        public ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken) =>
            ValueTask.FromException<UserKeyInputs?>(new InvalidOperationException("database is down"));
    }

    private sealed class HangingSource : IUserKeyInputsSource
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            // Ignores its token on purpose: the handler must not wait for it anyway.
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
            return null;
        }
    }

    private sealed class FixedSource(UserKeyInputs material) : IUserKeyInputsSource
    {
        public ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken) => ValueTask.FromResult<UserKeyInputs?>(material);
    }
}
