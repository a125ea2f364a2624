using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Benchmarks;

/// <summary>
/// Where a warm validation's time goes: each step of the handler alone, beside the whole validation and the static-key
/// baseline, in one process so that the machine's drift moves them alike. Diagnostic only; the guard rails are
/// <see cref="ValidationBenchmarks"/>.
/// Run: dotnet run -c Release --project benchmarks/UserKeyedJwt.Benchmarks -- steps
/// </summary>
[MemoryDiagnoser]
[BenchmarkDotNet.Attributes.InProcess]
public class ValidationStepsBenchmarks
{
    private readonly JsonWebTokenHandler _plain = new();
    private UserKeyedTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;
    private TokenValidationParameters _keyed = null!;
    private TokenValidationParameters _static = null!;
    private HardenedParameters _hardened = null!;
    private UserKeyCache _cache = null!;
    private ServerSecret _secret = null!;
    private UserKey _key = null!;
    private string _token = null!;
    private string _staticToken = null!;
    private JsonWebToken _jwt = null!;
    private byte[] _signingInput = null!;
    private byte[] _hmacKey = null!;
    private HMACSHA256 _keyedHmac = null!;
    private readonly byte[] _mac = new byte[32];

    [GlobalSetup]
    public async Task Setup()
    {
        var source = new InMemoryUserKeyInputsSource();
        var provider = BenchmarkHost.Build(source);
        var user = BenchmarkHost.NewUser();
        source.Set(user);
        _handler = provider.GetRequiredService<UserKeyedTokenHandler>();
        _cache = provider.GetRequiredService<UserKeyCache>();
        _secret = provider.GetRequiredService<ServerSecretRingProvider>().Current.Active;
        _token = provider.GetRequiredService<UserKeyedTokenIssuer>().Issue(user, BenchmarkHost.Claims()).Token;
        _parameters = _handler.CreateValidationParameters();
        if (!(await _handler.ValidateTokenAsync(_token, _parameters)).IsValid)
        {
            throw new InvalidOperationException("The user-keyed token does not validate.");
        }

        _jwt = _handler.ReadJsonWebToken(_token);
        _key = _cache.Find(user.UserId, _secret, TokenPurpose.Access, null) ?? throw new InvalidOperationException("The key is not cached.");
        _hardened = new HardenedParameters(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<UserKeyedJwtOptions>>().Value, TimeProvider.System);
        _keyed = _hardened.WithKey(_parameters, TokenPurpose.Access, _key);
        var staticKey = BenchmarkHost.NewStaticKey();
        _static = BenchmarkHost.StaticParameters(staticKey);
        _staticToken = _plain.CreateToken(BenchmarkHost.Descriptor(new SigningCredentials(staticKey, SecurityAlgorithms.HmacSha256), user.UserId, BenchmarkHost.Claims()));
        _signingInput = Encoding.ASCII.GetBytes(_token[.._token.LastIndexOf('.')]);
        _hmacKey = RandomNumberGenerator.GetBytes(32);
        _keyedHmac = new HMACSHA256(_hmacKey);
    }

    [Benchmark(Baseline = true, Description = "Static key, whole validation")]
    public async Task<bool> StaticKey() => (await _plain.ValidateTokenAsync(_staticToken, _static)).IsValid;

    [Benchmark(Description = "User-keyed, 1 user warm, whole validation")]
    public async Task<bool> UserKeyed() => (await _handler.ValidateTokenAsync(_token, _parameters)).IsValid;

    [Benchmark(Description = "2. IdentityModel's parse")]
    public JsonWebToken Parse() => _handler.ReadJsonWebToken(_token);

    [Benchmark(Description = "3. Strictness")]
    public TokenFailureReason? Strictness() => TokenStrictness.Check(_jwt, TokenPurpose.Access, out _);

    [Benchmark(Description = "6-7. Cached key and kid comparison")]
    public bool CachedKey() => _cache.Find(_jwt.Subject, _secret, TokenPurpose.Access, null)!.HasKid(_jwt.Kid);

    [Benchmark(Description = "6. Tag check, when the kid is not the cached one")]
    public bool Tag() => _secret.TagMatches(TokenPurpose.Access, _jwt.Subject, _key.Kid.Split('.')[1], _key.Kid.Split('.')[2]);

    [Benchmark(Description = "8-9. Parameters that carry the key")]
    public TokenValidationParameters ParametersCopy() => _hardened.WithKey(_parameters, TokenPurpose.Access, _key);

    [Benchmark(Description = "9. IdentityModel's validation under the key")]
    public async Task<bool> SignatureValidation() => (await _plain.ValidateTokenAsync(_jwt, _keyed)).IsValid;

    [Benchmark(Description = "HMAC of the signing input, one-shot (ours)")]
    public int OneShotHmac() => HMACSHA256.HashData(_hmacKey, _signingInput, _mac);

    [Benchmark(Description = "HMAC of the signing input, keyed and reused (the static baseline's)")]
    public bool KeyedHmac() => _keyedHmac.TryComputeHash(_signingInput, _mac, out _);
}
