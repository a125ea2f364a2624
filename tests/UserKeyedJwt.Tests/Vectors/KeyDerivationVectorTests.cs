using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using UserKeyedJwt.Tests.Support;

namespace UserKeyedJwt.Tests.Vectors;

/// <summary>
/// docs/key-derivation-vectors.json was written by docs/key-derivation-vectors.py, an independent implementation of
/// docs/key-derivation.md. The library must agree with it byte for byte: its <c>vectors</c> are tokens without a session,
/// signed under the user key, and its <c>sessionVectors</c> are sessions, each with an access and a refresh token signed
/// under the session key of that purpose's user key.
/// </summary>
public class KeyDerivationVectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int> VectorIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Load().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    public static TheoryData<int, TokenPurpose> SessionVectorTokens()
    {
        var data = new TheoryData<int, TokenPurpose>();
        for (var i = 0; i < LoadSessions().Count; i++)
        {
            data.Add(i, TokenPurpose.Access);
            data.Add(i, TokenPurpose.Refresh);
        }

        return data;
    }

    public static TheoryData<int> SessionVectorIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < LoadSessions().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void VectorFile_HasAtLeastEightVectorsCoveringTheHardCases()
    {
        var vectors = Load();

        Assert.True(vectors.Count >= 8);
        Assert.Contains(vectors, v => v.PasswordHash is null);
        Assert.Contains(vectors, v => v.UserId.Any(c => c > 127));
        Assert.Contains(vectors, v => v.Extra.Count > 1 && !v.Extra.Keys.SequenceEqual(v.Extra.Keys.Order(StringComparer.Ordinal)));
        Assert.Contains(vectors, v => v.Purpose == TokenPurpose.Access);
        Assert.Contains(vectors, v => v.Purpose == TokenPurpose.Refresh);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void DeriveKey_Vector_MatchesDerivedKey(int index)
    {
        var v = Load()[index];

        var key = UserKeyDerivation.DeriveKey(Convert.FromBase64String(v.ServerSecret), v.Material, v.Purpose);

        Assert.Equal(v.DerivedKey, Convert.ToHexStringLower(key));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public async Task ValidateAsync_VectorToken_IsValidForItsUser(int index)
    {
        var v = Load()[index];
        using var f = v.CreateFixture();

        var result = await f.Handler.ValidateAsync(v.Token, v.Purpose, TestContext.Current.CancellationToken);

        Assert.True(result.IsValid, result.FailureReason?.ToString());
        Assert.Equal(v.UserId, result.UserId);
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Issue_VectorMaterial_WritesTheVectorKid(int index)
    {
        var v = Load()[index];
        using var f = v.CreateFixture();

        var issued = f.Issuer.Issue(v.Material, purpose: v.Purpose);

        // No session: signed under the user key, and no sid.
        Assert.Equal(v.Kid, new JsonWebToken(issued.Token).Kid);
        Assert.DoesNotContain(UserKeyedSession.SessionIdClaimType, PayloadMemberNames(issued.Token));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public async Task ValidateAsync_VectorTokenAfterStampChange_IsRevoked(int index)
    {
        var v = Load()[index];
        using var f = v.CreateFixture();
        f.Users.Set(new UserKeyInputs(v.UserId, v.SecurityStamp + "-rotated", v.PasswordHash, v.Extra));
        f.Cache.Invalidate(v.UserId);

        var result = await f.Handler.ValidateAsync(v.Token, v.Purpose, TestContext.Current.CancellationToken);

        Assert.Equal(TokenFailureReason.KeyInputsChanged, result.FailureReason);
    }

    [Fact]
    public void SessionVectorFile_HasSeveralSessionsCoveringTheHardCases()
    {
        var sessions = LoadSessions();

        Assert.True(sessions.Count >= 4);
        Assert.Contains(sessions.GroupBy(s => s.UserId, StringComparer.Ordinal), g => g.Count() >= 2);
        Assert.Contains(sessions, s => s.PasswordHash is null);
        Assert.Contains(sessions, s => s.UserId.Any(c => c > 127));
        Assert.Contains(sessions, s => s.Generation > 0);
        Assert.All(sessions, s =>
        {
            // 32 random bytes as base64url text, as the library makes them: the derivation takes these 43 characters.
            Assert.Equal(43, s.SessionSecret.Length);
            Assert.Equal(32, Base64Url.DecodeFromChars(s.SessionSecret).Length);
            Assert.NotEqual(s.Access.UserKey, s.Access.SessionKey);
            Assert.NotEqual(s.Refresh.UserKey, s.Refresh.SessionKey);
        });

        // Every session and purpose has a key of its own, also two sessions of one user.
        var keys = sessions.SelectMany(s => new[] { s.Access.SessionKey, s.Refresh.SessionKey }).ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public void ExpandForSession_SessionVector_MatchesSessionKeyAndFingerprint(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];
        var t = v.Of(purpose);

        var userKey = UserKeyDerivation.DeriveKey(Convert.FromBase64String(v.ServerSecret), v.Material, purpose);
        var sessionKey = UserKeyDerivation.ExpandForSession(userKey, v.SessionId, v.SessionSecret);

        Assert.Equal(t.UserKey, Convert.ToHexStringLower(userKey));
        Assert.Equal(t.SessionKey, Convert.ToHexStringLower(sessionKey));
        Assert.Equal(t.Fingerprint, UserKeyDerivation.Fingerprint(sessionKey));
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public void SpecDeriveSessionKey_SessionVector_MatchesSessionKey(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];

        var key = Shared.SpecKeyDerivation.DeriveSessionKey(Convert.FromBase64String(v.ServerSecret), v.Material, purpose, v.SessionId, v.SessionSecret);

        Assert.Equal(v.Of(purpose).SessionKey, Convert.ToHexStringLower(key));
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public void Derive_SessionVector_HasTheVectorKid(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];
        var secret = new ServerSecret(v.ServerSecretId, Convert.FromBase64String(v.ServerSecret));

        var key = UserKey.Derive(secret, v.Material, purpose, v.Session(), 0);

        Assert.Equal(v.Of(purpose).Kid, key.Kid);
        Assert.NotEqual(v.Of(purpose).Kid, UserKey.Derive(secret, v.Material, purpose, null, 0).Kid);
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public void Derive_SessionVectorAtAnotherGeneration_HasTheSameKid(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];
        var secret = new ServerSecret(v.ServerSecretId, Convert.FromBase64String(v.ServerSecret));

        // The generation is a signed claim of refresh tokens, not a key input.
        var key = UserKey.Derive(secret, v.Material, purpose, v.Session(generation: v.Generation + 1), 0);

        Assert.Equal(v.Of(purpose).Kid, key.Kid);
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public async Task ValidateAsync_SessionVectorToken_IsValidForItsSession(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];
        using var f = v.CreateFixture();
        await f.AddSessionAsync(v.Session());

        var result = await f.Handler.ValidateAsync(v.Of(purpose).Token, purpose, Ct);

        Assert.True(result.IsValid, result.FailureReason?.ToString());
        Assert.Equal(v.UserId, result.UserId);
        Assert.Equal(v.SessionId, result.Token!.GetPayloadValue<string>(UserKeyedSession.SessionIdClaimType));
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public async Task ValidateAsync_SessionVectorTokenAfterItsSessionEnded_IsSessionEnded(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];
        using var f = v.CreateFixture();
        await f.AddSessionAsync(v.Session());
        Assert.True((await f.Handler.ValidateAsync(v.Of(purpose).Token, purpose, Ct)).IsValid);

        Assert.True(await f.Sessions.EndAsync(v.UserId, v.SessionId, SessionEndReason.Logout, v.UserId, Ct));
        var result = await f.Handler.ValidateAsync(v.Of(purpose).Token, purpose, Ct);

        Assert.Equal(TokenFailureReason.SessionEnded, result.FailureReason);
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public async Task ValidateAsync_SessionVectorTokenUnderAnotherSessionSecret_IsKeyInputsChanged(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];
        using var f = v.CreateFixture();
        await f.AddSessionAsync(v.Session(secret: Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))));

        var result = await f.Handler.ValidateAsync(v.Of(purpose).Token, purpose, Ct);

        Assert.Equal(TokenFailureReason.KeyInputsChanged, result.FailureReason);
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public async Task ValidateAsync_SessionVectorPayloadWithoutJti_IsMalformed(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];
        using var f = v.CreateFixture();
        await f.AddSessionAsync(v.Session());
        var parts = v.Of(purpose).Token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(parts[1]))!;
        payload.Remove("jti");

        // Signed under the session key, so that only the missing jti is wrong.
        var signingInput = parts[0] + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        var mac = HMACSHA256.HashData(Convert.FromHexString(v.Of(purpose).SessionKey), Encoding.ASCII.GetBytes(signingInput));
        var result = await f.Handler.ValidateAsync(signingInput + "." + Base64Url.EncodeToString(mac), purpose, Ct);

        Assert.Equal(TokenFailureReason.Malformed, result.FailureReason);
    }

    [Theory]
    [MemberData(nameof(SessionVectorTokens))]
    public async Task Issue_SessionVectorMaterial_WritesTheVectorKidAndClaims(int index, TokenPurpose purpose)
    {
        var v = LoadSessions()[index];
        using var f = v.CreateFixture();
        await f.AddSessionAsync(v.Session());

        var issued = f.Issuer.Issue(v.Material, null, purpose, null, v.Session());
        var token = new JsonWebToken(issued.Token);

        Assert.Equal(v.Of(purpose).Kid, token.Kid);
        // The vector token has the members the issuer writes, in its order: gen on refresh tokens only.
        Assert.Equal(PayloadMemberNames(v.Of(purpose).Token), PayloadMemberNames(issued.Token));
        Assert.Equal(purpose == TokenPurpose.Refresh, PayloadMemberNames(issued.Token).Contains(UserKeyedSession.GenerationClaimType));
        Assert.Equal(v.SessionId, token.GetPayloadValue<string>(UserKeyedSession.SessionIdClaimType));
        Assert.Equal(v.AuthTime, token.GetPayloadValue<long>(UserKeyedSession.AuthenticatedAtClaimType));
        if (purpose == TokenPurpose.Refresh)
        {
            Assert.Equal(v.Generation, token.GetPayloadValue<long>(UserKeyedSession.GenerationClaimType));
        }

        var result = await f.Handler.ValidateAsync(issued.Token, purpose, Ct);
        Assert.True(result.IsValid, result.FailureReason?.ToString());
    }

    [Theory]
    [MemberData(nameof(SessionVectorIndexes))]
    public async Task RefreshAsync_SessionVectorRefreshToken_RedeemsItsGenerationOnce(int index)
    {
        var v = LoadSessions()[index];
        using var f = v.CreateFixture();
        await f.AddSessionAsync(v.Session());

        var refreshed = await f.Sessions.RefreshAsync(v.Refresh.Token, null, Ct);

        Assert.True(refreshed.Succeeded, refreshed.FailureReason?.ToString());
        var next = new JsonWebToken(refreshed.Tokens!.RefreshToken.Token);
        Assert.Equal(v.Generation + 1, next.GetPayloadValue<long>(UserKeyedSession.GenerationClaimType));
        // The next pair is signed under the same session keys: the generation is no key input.
        Assert.Equal(v.Refresh.Kid, next.Kid);
        Assert.Equal(v.Access.Kid, new JsonWebToken(refreshed.Tokens.AccessToken.Token).Kid);

        // The vector's refresh token still verifies, but its generation is spent: presenting it again is reuse.
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var again = await f.Sessions.RefreshAsync(v.Refresh.Token, null, Ct);

        Assert.True(again.ReuseDetected);
        Assert.Equal(TokenFailureReason.SessionEnded, (await f.Handler.ValidateAsync(v.Access.Token, TokenPurpose.Access, Ct)).FailureReason);
    }

    internal static IReadOnlyList<Vector> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(VectorFile));
        return [.. document.RootElement.GetProperty("vectors").EnumerateArray().Select(Vector.From)];
    }

    internal static IReadOnlyList<SessionVector> LoadSessions()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(VectorFile));
        return [.. document.RootElement.GetProperty("sessionVectors").EnumerateArray().Select(SessionVector.From)];
    }

    private static string VectorFile => Path.Combine(AppContext.BaseDirectory, "Vectors", "key-derivation-vectors.json");

    private static List<string> PayloadMemberNames(string token)
    {
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]));
        return [.. payload.RootElement.EnumerateObject().Select(p => p.Name)];
    }

    private static Dictionary<string, string?> ExtraOf(JsonElement e) =>
        e.GetProperty("extra").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.Ordinal);

    internal sealed record Vector(
        string ServerSecretId, string ServerSecret, string UserId, string? SecurityStamp, string? PasswordHash,
        Dictionary<string, string?> Extra, TokenPurpose Purpose, string DerivedKey, string Kid, string Issuer, string Audience, long Iat, string Token)
    {
        public UserKeyInputs Material => new(UserId, SecurityStamp, PasswordHash, Extra);

        public static Vector From(JsonElement e) => new(
            e.GetProperty("serverSecretId").GetString()!,
            e.GetProperty("serverSecret").GetString()!,
            e.GetProperty("userId").GetString()!,
            e.GetProperty("securityStamp").GetString(),
            e.GetProperty("passwordHash").GetString(),
            ExtraOf(e),
            e.GetProperty("purpose").GetString() == "refresh" ? TokenPurpose.Refresh : TokenPurpose.Access,
            e.GetProperty("derivedKey").GetString()!,
            e.GetProperty("kid").GetString()!,
            e.GetProperty("issuer").GetString()!,
            e.GetProperty("audience").GetString()!,
            e.GetProperty("iat").GetInt64(),
            e.GetProperty("token").GetString()!);

        public CoreFixture CreateFixture()
        {
            var f = new CoreFixture(o =>
            {
                o.ServerSecrets.Clear();
                o.ServerSecrets.Add(new ServerSecretOptions { Id = ServerSecretId, Secret = ServerSecret });
                o.Issuer = Issuer;
                o.Audience = Audience;
            }, start: DateTimeOffset.FromUnixTimeSeconds(Iat + 60));
            f.Users.Set(Material);
            return f;
        }
    }

    /// <summary>A session of the vector file: its user's key inputs, the session as its store holds it, and its two tokens.</summary>
    internal sealed record SessionVector(
        string ServerSecretId, string ServerSecret, string UserId, string? SecurityStamp, string? PasswordHash, Dictionary<string, string?> Extra,
        string SessionId, string SessionSecret, long AuthTime, long Generation, string Issuer, string Audience, long Iat,
        SessionVectorToken Access, SessionVectorToken Refresh)
    {
        public UserKeyInputs Material => new(UserId, SecurityStamp, PasswordHash, Extra);

        public SessionVectorToken Of(TokenPurpose purpose) => purpose == TokenPurpose.Refresh ? Refresh : Access;

        /// <summary>The session's row: signed in at <see cref="AuthTime"/>, last refreshed at <see cref="Iat"/>, for 30 days.</summary>
        public UserKeyedSession Session(string? secret = null, long? generation = null) => new(
            SessionId, UserId, secret ?? SessionSecret, DateTimeOffset.FromUnixTimeSeconds(AuthTime), DateTimeOffset.FromUnixTimeSeconds(Iat),
            DateTimeOffset.FromUnixTimeSeconds(AuthTime) + TimeSpan.FromDays(30), generation ?? Generation, null);

        public static SessionVector From(JsonElement e) => new(
            e.GetProperty("serverSecretId").GetString()!,
            e.GetProperty("serverSecret").GetString()!,
            e.GetProperty("userId").GetString()!,
            e.GetProperty("securityStamp").GetString(),
            e.GetProperty("passwordHash").GetString(),
            ExtraOf(e),
            e.GetProperty("sessionId").GetString()!,
            e.GetProperty("sessionSecret").GetString()!,
            e.GetProperty("authTime").GetInt64(),
            e.GetProperty("generation").GetInt64(),
            e.GetProperty("issuer").GetString()!,
            e.GetProperty("audience").GetString()!,
            e.GetProperty("iat").GetInt64(),
            SessionVectorToken.From(e.GetProperty("access")),
            SessionVectorToken.From(e.GetProperty("refresh")));

        public SessionVectorFixture CreateFixture() => new(this);
    }

    internal sealed record SessionVectorToken(string UserKey, string SessionKey, string Fingerprint, string Kid, string Token)
    {
        public static SessionVectorToken From(JsonElement e) => new(
            e.GetProperty("userKey").GetString()!,
            e.GetProperty("sessionKey").GetString()!,
            e.GetProperty("fingerprint").GetString()!,
            e.GetProperty("kid").GetString()!,
            e.GetProperty("token").GetString()!);
    }

    /// <summary>
    /// The core and sessions with the vector's secret, issuer and audience, the vector's user, an empty in-memory session store,
    /// and fake time 60 seconds after the vector's <c>iat</c>.
    /// </summary>
    internal sealed class SessionVectorFixture : IDisposable
    {
        private readonly ServiceProvider _provider;

        public SessionVectorFixture(SessionVector v)
        {
            Time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(v.Iat + 60));
            Store = new InMemoryUserKeyedSessionStore(Time);
            var users = new InMemoryUserKeyInputsSource();
            users.Set(v.Material);
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<IUserKeyInputsSource>(users);
            services.AddSingleton<IUserKeyedSessionStore>(Store);
            services.AddMetrics();
            services.AddLogging();
            services.AddUserKeyedJwt(o =>
            {
                o.Issuer = v.Issuer;
                o.Audience = v.Audience;
                o.ServerSecrets.Add(new ServerSecretOptions { Id = v.ServerSecretId, Secret = v.ServerSecret });
            });
            services.AddUserKeyedJwtSessions();
            _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            Handler = _provider.GetRequiredService<UserKeyedTokenHandler>();
            Issuer = _provider.GetRequiredService<UserKeyedTokenIssuer>();
            Sessions = _provider.GetRequiredService<UserKeyedSessions>();
        }

        public FakeTimeProvider Time { get; }

        public InMemoryUserKeyedSessionStore Store { get; }

        public UserKeyedTokenHandler Handler { get; }

        public UserKeyedTokenIssuer Issuer { get; }

        public UserKeyedSessions Sessions { get; }

        public async Task AddSessionAsync(UserKeyedSession session) => Assert.Empty(await Store.AddAsync(session, 50, Ct));

        public void Dispose() => _provider.Dispose();
    }
}
