using System.Security.Claims;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// User-keyed validation against plain static-key HS256 validation with the same claims, measured in the same run.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- --filter '*Validation*'
/// </summary>
[MemoryDiagnoser]

// Iterations of at least 250 ms (BenchmarkDotNet's default is 500), so that a --job short run of the suite stays under
// five minutes; each result still carries its error, and docs/performance.md cross-checks with interleaved runs.
[IterationTime(250)]
public class ValidationBenchmarks
{
    public const int ManyUsers = 100_000;

    private readonly JsonWebTokenHandler _plain = new();
    private TokenValidationParameters _staticParameters = null!;
    private TokenValidationParameters _manyStaticKeysParameters = null!;
    private string _staticToken = null!;
    private string[] _manyStaticKeyTokens = null!;
    private UserKeyedTokenHandler _handler = null!;
    private TokenValidationParameters _userKeyedParameters = null!;
    private string _oneUserToken = null!;
    private string[] _manyUserTokens = null!;
    private string[] _manyStaticTokens = null!;
    private UserKeyedTokenHandler _coldHandler = null!;
    private string _forgedToken = null!;
    private string _expiredToken = null!;
    private string _expiredCachedToken = null!;
    private InMemoryRevokedTokenStore _denylist = null!;
    private string[] _denylistProbes = null!;
    private int _next;

    [Flags]
    private enum World
    {
        ManyUsers = 1,
        WarmCache = 2,
        Denylist = 4,
        ManyStaticTokens = 8,
        ManyStaticKeys = 16,
        Everything = ManyUsers | WarmCache | Denylist | ManyStaticTokens | ManyStaticKeys,
    }

    /// <summary>Everything, for the loops outside BenchmarkDotNet (profile, ratios).</summary>
    public Task Setup() => BuildAsync(World.Everything);

    // Each BenchmarkDotNet case runs in its own process with its own setup, so each builds only what it measures: the whole
    // world takes about 13 s, and a --job short run of the suite must stay under five minutes.
    [GlobalSetup(Target = nameof(UserKeyedManyUsers))]
    public Task SetupManyUsers() => BuildAsync(World.ManyUsers | World.WarmCache);

    [GlobalSetup(Target = nameof(UserKeyedCold))]
    public Task SetupCold() => BuildAsync(World.ManyUsers);

    [GlobalSetup(Target = nameof(StaticKeyManyTokens))]
    public Task SetupManyStaticTokens() => BuildAsync(World.ManyStaticTokens);

    [GlobalSetup(Target = nameof(ManyKeysDefaultFactory))]
    public Task SetupManyStaticKeys() => BuildAsync(World.ManyStaticKeys);

    [GlobalSetup(Target = nameof(DenylistCheck))]
    public Task SetupDenylist() => BuildAsync(World.Denylist);

    [GlobalSetup(Targets = [nameof(StaticKey), nameof(UserKeyedOneUser), nameof(RejectForged), nameof(RejectExpired), nameof(RejectExpiredCached)])]
    public Task SetupBasics() => BuildAsync(World.WarmCache);

    private async Task BuildAsync(World world)
    {
        var secret = BenchmarkHost.NewSecret();
        var source = new InMemoryUserKeyInputsSource();
        var provider = BenchmarkHost.Build(source, secret, cacheSize: 4 * ManyUsers);
        _handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        var issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        _userKeyedParameters = _handler.CreateValidationParameters();

        // Same secret and users, no key cache: every validation is a source lookup plus a derivation.
        _coldHandler = BenchmarkHost.Build(source, secret, cacheSize: 0).GetRequiredService<UserKeyedTokenHandler>();

        var users = world.HasFlag(World.ManyUsers) ? ManyUsers : 1;
        _manyUserTokens = new string[users];
        UserKeyInputs? firstUser = null;
        for (var i = 0; i < users; i++)
        {
            var user = BenchmarkHost.NewUser();
            firstUser ??= user;
            source.Set(user);
            _manyUserTokens[i] = issuer.Issue(user, BenchmarkHost.Claims()).Token;
            if (world.HasFlag(World.WarmCache))
            {
                await _handler.ValidateTokenAsync(_manyUserTokens[i], _userKeyedParameters); // warm the cache
            }
        }

        _oneUserToken = _manyUserTokens[0];

        // A denylist holding 10^5 revoked tokens; probes ask about tokens that are not on it, as nearly all requests do.
        _denylist = new InMemoryRevokedTokenStore(TimeProvider.System);
        for (var i = 0; i < (world.HasFlag(World.Denylist) ? ManyUsers : 0); i++)
        {
            await _denylist.RevokeTokenAsync(Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        }

        _denylistProbes = [.. Enumerable.Range(0, 1024).Select(_ => Guid.NewGuid().ToString("N"))];

        // A subject the server never signed: a genuine kid shape whose tag does not verify.
        var genuine = new JsonWebToken(_oneUserToken);
        var forgedKid = genuine.Kid[..^22] + "AAAAAAAAAAAAAAAAAAAAAA";
        _forgedToken = _plain.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(BenchmarkHost.Claims()),
            Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["jti"] = "forged" },
            Issuer = BenchmarkHost.Issuer,
            Audience = BenchmarkHost.Audience,
            Expires = DateTime.UtcNow.AddDays(1),
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = forgedKid }, SecurityAlgorithms.HmacSha256),
        });

        // A genuine token of a known user, issued two days ago for a day.
        var past = BenchmarkHost.Build(source, secret, cacheSize: 0, new FixedTime(DateTimeOffset.UtcNow.AddDays(-2)));
        _expiredToken = past.GetRequiredService<UserKeyedTokenIssuer>().Issue(new UserKeyInputs(genuine.Subject, "s", "h")).Token;

        // The same, but with the user's current key inputs: its kid is the cached key's, so it takes the warm path (D25),
        // which parses before it reads the lifetime.
        _expiredCachedToken = past.GetRequiredService<UserKeyedTokenIssuer>().Issue(firstUser!).Token;

        // The baseline: one static key, same claims and lifetime, the same shape of token.
        // A kid as long as a user-keyed one ("s1." + 11 + "." + 22 characters), so that both tokens have the same size.
        var staticKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "static-key-" + new string('k', genuine.Kid.Length - 11) };
        _staticParameters = new TokenValidationParameters
        {
            ValidIssuer = BenchmarkHost.Issuer,
            ValidAudience = BenchmarkHost.Audience,
            IssuerSigningKey = staticKey,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidTypes = ["at+jwt"],
        };
        _staticToken = Create(staticKey);

        // What per-user keys cost when they go through IdentityModel's default provider cache (an LRU of 1,000).
        var keyCount = world.HasFlag(World.ManyStaticKeys) ? ManyUsers : 1;
        var keys = new SymmetricSecurityKey[keyCount];
        _manyStaticKeyTokens = new string[keyCount];
        for (var i = 0; i < keyCount; i++)
        {
            keys[i] = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "k" + i };
            _manyStaticKeyTokens[i] = Create(keys[i]);
        }

        _manyStaticTokens = new string[world.HasFlag(World.ManyStaticTokens) ? ManyUsers : 1];
        for (var i = 0; i < _manyStaticTokens.Length; i++)
        {
            _manyStaticTokens[i] = Create(staticKey);
        }

        var byId = keys.ToDictionary(k => k.KeyId);
        _manyStaticKeysParameters = _staticParameters.Clone();
        _manyStaticKeysParameters.IssuerSigningKey = null;
        _manyStaticKeysParameters.IssuerSigningKeyResolver = (_, _, kid, _) => [byId[kid]];
    }

    [Benchmark(Baseline = true, Description = "Static key (JsonWebTokenHandler)")]
    public async Task<bool> StaticKey() => (await _plain.ValidateTokenAsync(_staticToken, _staticParameters)).IsValid;

    [Benchmark(Description = "User-keyed, 1 user, warm")]
    public async Task<bool> UserKeyedOneUser() => (await _handler.ValidateTokenAsync(_oneUserToken, _userKeyedParameters)).IsValid;

    [Benchmark(Description = "User-keyed, 10^5 users round-robin, warm")]
    public async Task<bool> UserKeyedManyUsers() => (await _handler.ValidateTokenAsync(_manyUserTokens[Next()], _userKeyedParameters)).IsValid;

    [Benchmark(Description = "Static key, 10^5 distinct tokens (informative)")]
    public async Task<bool> StaticKeyManyTokens() => (await _plain.ValidateTokenAsync(_manyStaticTokens[Next()], _staticParameters)).IsValid;

    [Benchmark(Description = "User-keyed, cold: lookup + derivation every call")]
    public async Task<bool> UserKeyedCold() => (await _coldHandler.ValidateTokenAsync(_manyUserTokens[Next()], _userKeyedParameters)).IsValid;

    [Benchmark(Description = "Reject forged subject (bad kid tag)")]
    public async Task<bool> RejectForged() => (await _handler.ValidateTokenAsync(_forgedToken, _userKeyedParameters)).IsValid;

    [Benchmark(Description = "Reject expired token")]
    public async Task<bool> RejectExpired() => (await _handler.ValidateTokenAsync(_expiredToken, _userKeyedParameters)).IsValid;

    [Benchmark(Description = "Reject expired token, user's key cached")]
    public async Task<bool> RejectExpiredCached() => (await _handler.ValidateTokenAsync(_expiredCachedToken, _userKeyedParameters)).IsValid;

    [Benchmark(Description = "Denylist check, in-memory, 10^5 entries")]
    public async Task<bool> DenylistCheck() => await _denylist.IsRevokedAsync(_denylistProbes[Next() & 1023], _denylistProbes[(Next() + 7) & 1023], CancellationToken.None);

    [Benchmark(Description = "10^5 static keys via default provider cache")]
    public async Task<bool> ManyKeysDefaultFactory() => (await _plain.ValidateTokenAsync(_manyStaticKeyTokens[Next()], _manyStaticKeysParameters)).IsValid;

    private int Next()
    {
        var i = _next;
        _next = i + 1 == ManyUsers ? 0 : i + 1;
        return i;
    }


    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private string Create(SecurityKey key)
    {
        var now = DateTime.UtcNow;
        return _plain.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(BenchmarkHost.Claims()),
            Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["jti"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)) },
            Issuer = BenchmarkHost.Issuer,
            Audience = BenchmarkHost.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddDays(1),
            TokenType = "at+jwt",
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
