using System.Security.Claims;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// Issuing a user-keyed token (a key derivation, then the signature) against issuing the same token with one static key.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- --filter '*IssuingBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]

// Shorter iterations than BenchmarkDotNet's default, so that a --job short run of the suite stays within minutes.
[IterationTime(250)]
public class IssuingBenchmarks
{
    private readonly JsonWebTokenHandler _plain = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly Claim[] _claims = BenchmarkHost.Claims();
    private SigningCredentials _staticCredentials = null!;
    private UserKeyedTokenIssuer _issuer = null!;
    private UserKeyInputs _user = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var source = new InMemoryUserKeyInputsSource();
        var provider = BenchmarkHost.Build(source);
        _issuer = provider.GetRequiredService<UserKeyedTokenIssuer>();
        _user = BenchmarkHost.NewUser();
        source.Set(_user);
        var staticKey = BenchmarkHost.NewStaticKey();
        _staticCredentials = new SigningCredentials(staticKey, SecurityAlgorithms.HmacSha256);

        // Both cases must issue a valid token of one size, or they would not be issuing the same thing.
        var handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        var userKeyed = IssueUserKeyed();
        BenchmarkHost.Expect(await handler.ValidateTokenAsync(userKeyed, handler.CreateValidationParameters()), null, nameof(IssueUserKeyed));
        BenchmarkHost.Expect(await _plain.ValidateTokenAsync(IssueStatic(), BenchmarkHost.StaticParameters(staticKey)), null, nameof(IssueStatic));
        BenchmarkHost.ExpectLength([IssueStatic()], userKeyed.Length, nameof(IssueStatic));
    }

    [Benchmark(Baseline = true, Description = "Issue with a static key")]
    public string IssueStatic() => _plain.CreateToken(BenchmarkHost.Descriptor(_staticCredentials, _user.UserId, _claims));

    [Benchmark(Description = "Issue user-keyed")]
    public string IssueUserKeyed() => _issuer.Issue(_user, _claims).Token;
}
