using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.Internal;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// The pieces of the user-keyed hot path, one by one, to see what dominates.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- --filter '*Breakdown*'
/// </summary>
[MemoryDiagnoser]
public class BreakdownBenchmarks
{
    private readonly JsonWebTokenHandler _plain = new();
    private string _token = null!;
    private UserKeyedTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;
    private int _headerLength;

    [GlobalSetup]
    public void Setup()
    {
        var source = new InMemoryUserKeyMaterialSource();
        var services = new ServiceCollection();
        services.AddSingleton<IUserKeyMaterialSource>(source);
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.example";
            o.Audience = "api.example";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        });
        var provider = services.BuildServiceProvider();
        _handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        var user = new UserKeyMaterial(Guid.NewGuid().ToString(), "STAMP", "HASH");
        source.Set(user);
        _token = provider.GetRequiredService<UserKeyedTokenIssuer>().Issue(user, [new("role", "user"), new("email", "someone@example.com")]).Token;
        _parameters = _handler.CreateValidationParameters();
        TokenShape.TrySplit(_token, out _headerLength);
    }

    [Benchmark(Baseline = true)]
    public bool Split() => TokenShape.TrySplit(_token, out _);

    [Benchmark]
    public TokenFailureReason? Header() => TokenShape.ReadHeader(_token.AsSpan(0, _headerLength), TokenPurpose.Access);

    [Benchmark]
    public JsonWebToken Read() => new(_token);

    [Benchmark]
    public TokenValidationParameters CloneParameters() => _parameters.Clone();

    [Benchmark]
    public async Task<bool> Full() => (await _handler.ValidateTokenAsync(_token, _parameters)).IsValid;
}
