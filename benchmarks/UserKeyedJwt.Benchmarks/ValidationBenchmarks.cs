using System.Buffers.Text;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// The validation guard rails: each user-keyed case as a ratio of plain static-key <see cref="JsonWebTokenHandler"/>
/// validation of a token of the same size and claims, in the same run. The Guard rail column gives each ratio and its limit.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- --filter '*ValidationBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
[GuardRailColumn]

// Shorter iterations than BenchmarkDotNet's default, so that a --job short run of the suite stays within minutes.
[IterationTime(250)]
public class ValidationBenchmarks
{
    public const int ManyUsers = 100_000;

    private readonly JsonWebTokenHandler _plain = new();
    private TokenValidationParameters _staticParameters = null!;
    private string _staticToken = null!;
    private string[] _staticTokens = null!;
    private CountingSource _source = null!;
    private UserKeyedTokenHandler _handler = null!;
    private TokenValidationParameters _userKeyedParameters = null!;
    private string _userToken = null!;
    private string[] _userTokens = null!;
    private string _forgedToken = null!;
    private int _next;

    // Each case runs in its own process with its own setup, so each builds only what it measures.
    [GlobalSetup(Target = nameof(StaticKey))]
    public async Task SetupStaticKey()
    {
        await SetupStaticAsync(1);
        _staticToken = _staticTokens[0];
    }

    [GlobalSetup(Target = nameof(StaticKeyManyTokens))]
    public Task SetupStaticKeyManyTokens() => SetupStaticAsync(ManyUsers);

    [GlobalSetup(Target = nameof(UserKeyedOneUser))]
    public async Task SetupOneUser()
    {
        await SetupUsersAsync(1, cacheSize: ManyUsers);
        await ExpectReadsAsync(_userToken, null, reads: 0, nameof(UserKeyedOneUser));
    }

    // The library's default cache size, which holds every user of the case: the cleanup proves that none was evicted.
    [GlobalSetup(Target = nameof(UserKeyedManyUsers))]
    public async Task SetupManyUsers()
    {
        await SetupUsersAsync(ManyUsers, cacheSize: ManyUsers);
        await ExpectReadsAsync(_userTokens[^1], null, reads: 0, nameof(UserKeyedManyUsers));
    }

    // One user, like its baseline's one token: what differs from the warm case is the store read and the derivation alone.
    [GlobalSetup(Target = nameof(UserKeyedCold))]
    public async Task SetupCold()
    {
        await SetupUsersAsync(1, cacheSize: 0);
        await ExpectReadsAsync(_userToken, null, reads: 1, nameof(UserKeyedCold));
    }

    // A server that has a real user cached, and a genuine-looking kid whose tag was never issued for this subject.
    [GlobalSetup(Target = nameof(RejectForged))]
    public async Task SetupForged()
    {
        await SetupUsersAsync(1, cacheSize: ManyUsers);
        var genuine = new JsonWebToken(_userToken);
        var kid = $"{BenchmarkHost.SecretId}.{genuine.Kid.Split('.')[1]}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16))}";
        var key = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = kid };
        _forgedToken = _plain.CreateToken(BenchmarkHost.Descriptor(new SigningCredentials(key, SecurityAlgorithms.HmacSha256), Guid.NewGuid().ToString(), BenchmarkHost.Claims()));
        BenchmarkHost.ExpectLength([_forgedToken], _userToken.Length, nameof(RejectForged));
        await ExpectReadsAsync(_forgedToken, TokenFailureReason.InvalidKidTag, reads: 0, nameof(RejectForged));
    }

    // Only the cold case may read the store; a read in any other means a cache miss or a forged token that got through.
    [GlobalCleanup(Targets = [nameof(UserKeyedOneUser), nameof(UserKeyedManyUsers), nameof(RejectForged)])]
    public void ExpectNoStoreReads()
    {
        if (_source.Reads != 0)
        {
            throw new InvalidOperationException($"{_source.Reads} user-store reads during a case that must make none.");
        }
    }

    [Benchmark(Baseline = true, Description = "Static key, 1 token")]
    public async Task<bool> StaticKey() => (await _plain.ValidateTokenAsync(_staticToken, _staticParameters)).IsValid;

    [Benchmark(Description = "Static key, 10^5 distinct tokens round-robin")]
    public async Task<bool> StaticKeyManyTokens() => (await _plain.ValidateTokenAsync(_staticTokens[Next()], _staticParameters)).IsValid;

    [GuardRail(1.35)]
    [Benchmark(Description = "User-keyed, 1 user, warm")]
    public async Task<bool> UserKeyedOneUser() => (await _handler.ValidateTokenAsync(_userToken, _userKeyedParameters)).IsValid;

    [GuardRail(1.6, Against = nameof(StaticKeyManyTokens))]
    [Benchmark(Description = "User-keyed, 10^5 users round-robin, warm")]
    public async Task<bool> UserKeyedManyUsers() => (await _handler.ValidateTokenAsync(_userTokens[Next()], _userKeyedParameters)).IsValid;

    // The same call as the warm case; its setup built the handler without a key cache.
    [GuardRail(3)]
    [Benchmark(Description = "User-keyed, cold: store read + derivation every call")]
    public async Task<bool> UserKeyedCold() => (await _handler.ValidateTokenAsync(_userToken, _userKeyedParameters)).IsValid;

    [GuardRail(0.75)]
    [Benchmark(Description = "Reject forged subject (kid tag does not verify)")]
    public async Task<bool> RejectForged() => (await _handler.ValidateTokenAsync(_forgedToken, _userKeyedParameters)).IsValid;

    private async Task SetupStaticAsync(int tokens)
    {
        var key = BenchmarkHost.NewStaticKey();
        var credentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
        _staticParameters = BenchmarkHost.StaticParameters(key);
        _staticTokens = new string[tokens];
        for (var i = 0; i < tokens; i++)
        {
            _staticTokens[i] = _plain.CreateToken(BenchmarkHost.Descriptor(credentials, Guid.NewGuid().ToString(), BenchmarkHost.Claims()));
            BenchmarkHost.Expect(await _plain.ValidateTokenAsync(_staticTokens[i], _staticParameters), null, "static-key token");
        }

        BenchmarkHost.ExpectLength(_staticTokens, BenchmarkHost.UserKeyedTokenLength(), "static-key token");
    }

    /// <summary>Issues a token per user and validates each once, which checks it and, with a cache, caches its key.</summary>
    private async Task SetupUsersAsync(int users, int cacheSize)
    {
        var store = new InMemoryUserKeyInputsSource();
        _source = new CountingSource(store);
        var provider = BenchmarkHost.Build(_source, cacheSize);
        var issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        _handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        _userKeyedParameters = _handler.CreateValidationParameters();
        _userTokens = new string[users];
        for (var i = 0; i < users; i++)
        {
            var user = BenchmarkHost.NewUser();
            store.Set(user);
            _userTokens[i] = issuer.Issue(user, BenchmarkHost.Claims()).Token;
            BenchmarkHost.Expect(await _handler.ValidateTokenAsync(_userTokens[i], _userKeyedParameters), null, "user-keyed token");
        }

        _userToken = _userTokens[0];
        BenchmarkHost.ExpectLength(_userTokens, _userToken.Length, "user-keyed token");
    }

    /// <summary>Validates <paramref name="token"/> as the case will, and throws unless the verdict and the store reads are the expected ones.</summary>
    private async Task ExpectReadsAsync(string token, TokenFailureReason? expected, long reads, string what)
    {
        _source.Reset();
        BenchmarkHost.Expect(await _handler.ValidateTokenAsync(token, _userKeyedParameters), expected, what);
        if (_source.Reads != reads)
        {
            throw new InvalidOperationException($"{what}: {_source.Reads} user-store reads per validation, expected {reads}.");
        }

        _source.Reset();
    }

    private int Next()
    {
        var i = _next;
        _next = i + 1 == ManyUsers ? 0 : i + 1;
        return i;
    }
}
