using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Internal;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// The pieces of the user-keyed hot path, one by one, to see what dominates.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- pieces --filter '*Breakdown*'
/// </summary>
[MemoryDiagnoser]
public class BreakdownBenchmarks
{
    private readonly byte[] _tag = new byte[16];
    private ServerSecret _secret = null!;
    private string _token = null!;
    private UserKeyedTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;
    private int _headerLength;

    [GlobalSetup]
    public void Setup()
    {
        var source = new InMemoryUserKeyMaterialSource();
        var provider = BenchmarkHost.Build(source);
        _handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        _secret = provider.GetRequiredService<ServerSecretRingProvider>().Current.Active;
        var user = BenchmarkHost.NewUser();
        source.Set(user);
        _token = provider.GetRequiredService<UserKeyedTokenIssuer>().Issue(user, BenchmarkHost.Claims()).Token;
        _parameters = _handler.CreateValidationParameters();
        TokenShape.TrySplit(_token, out _headerLength);
    }

    [Benchmark(Baseline = true)]
    public bool Split() => TokenShape.TrySplit(_token, out _);

    [Benchmark]
    public TokenFailureReason? Header() => TokenShape.ReadHeader(_token.AsSpan(0, _headerLength), TokenPurpose.Access);

    [Benchmark(Description = "Canonical header: kid")]
    public string? CanonicalKid() => TokenShape.ReadCanonicalKid(_token.AsSpan(0, _headerLength), TokenPurpose.Access);

    [Benchmark(Description = "Minimal payload reader")]
    public bool Payload() => TokenPayload.TryRead(_token.AsSpan(_headerLength + 1, _token.Length - _headerLength - 2 - TokenShape.SignatureLength), BenchmarkHost.Issuer, BenchmarkHost.Audience, out _);

    [Benchmark]
    public JsonWebToken Read() => new(_token);

    [Benchmark]
    public TokenValidationParameters CloneParameters() => _parameters.Clone();

    [Benchmark(Description = "Kid tag MAC")]
    public byte[] Tag()
    {
        UserKeyDerivation.Tag(_secret.TagKey, "3f2b8c1e-0d4a-4e7b-9c55-1a2b3c4d5e6f", "R7yiMs7c2b4", "s1", _tag);
        return _tag;
    }

    [Benchmark]
    public async Task<bool> Full() => (await _handler.ValidateTokenAsync(_token, _parameters)).IsValid;
}
