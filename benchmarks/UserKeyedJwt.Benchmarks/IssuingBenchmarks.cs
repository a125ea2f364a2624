using System.Security.Claims;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// Issuing a user-keyed token against issuing the same token with one static key; and the derivation alone.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- --filter '*Issuing*'
/// </summary>
[MemoryDiagnoser]

// Iterations of at least 250 ms (BenchmarkDotNet's default is 500), so that a --job short run of the suite stays under
// five minutes; each result still carries its error, and docs/performance.md cross-checks with interleaved runs.
[IterationTime(250)]
public class IssuingBenchmarks
{
    private readonly JsonWebTokenHandler _plain = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly Claim[] _claims = BenchmarkHost.Claims();
    private readonly byte[] _prk = RandomNumberGenerator.GetBytes(32);
    private SigningCredentials _staticCredentials = null!;
    private UserKeyedTokenIssuer _issuer = null!;
    private UserKeyInputs _user = null!;
    private UserKeyInputs[] _users = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var source = new InMemoryUserKeyInputsSource();
        var provider = BenchmarkHost.Build(source, cacheSize: 1000);
        _issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        _user = BenchmarkHost.NewUser();
        _users = [.. Enumerable.Range(0, 1000).Select(_ => BenchmarkHost.NewUser())];
        _staticCredentials = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "s1.AAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA" }, SecurityAlgorithms.HmacSha256);
    }

    [Benchmark(Baseline = true, Description = "Issue with a static key")]
    public string IssueStatic()
    {
        var now = DateTime.UtcNow;
        return _plain.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(_claims),
            Claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = _user.UserId, ["jti"] = Base64UrlJti() },
            Issuer = BenchmarkHost.Issuer,
            Audience = BenchmarkHost.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            TokenType = "at+jwt",
            SigningCredentials = _staticCredentials,
        });
    }

    [Benchmark(Description = "Issue user-keyed")]
    public string IssueUserKeyed() => _issuer.Issue(_user, _claims).Token;

    [Benchmark(Description = "Issue user-keyed, 10^3 users round-robin (informative)")]
    public string IssueUserKeyedManyUsers()
    {
        var user = _users[_next];
        _next = _next + 1 == _users.Length ? 0 : _next + 1;
        return _issuer.Issue(user, _claims).Token;
    }

    [Benchmark(Description = "Key derivation alone")]
    public byte[] Derive() => UserKeyDerivation.Expand(_prk, _user, TokenPurpose.Access);

    private static string Base64UrlJti() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
