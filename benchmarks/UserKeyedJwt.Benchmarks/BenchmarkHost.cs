using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace UserKeyedJwt.Benchmarks;

/// <summary>What every benchmark and probe sets up the same way: the container, a realistic user, the claims, the static baseline.</summary>
internal static class BenchmarkHost
{
    public const string Issuer = "https://issuer.example";
    public const string Audience = "api.example";
    public const string SecretId = "s1";

    /// <summary>Long enough that no run sees a token expire.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(1);

    /// <summary>A static key id as long as a user-keyed <c>kid</c> (<c>{secretId}.{fingerprint}.{tag}</c>), so both tokens have one size.</summary>
    public static readonly string StaticKid = "static-key-".PadRight(SecretId.Length + 1 + UserKeyDerivation.FingerprintLength + 1 + UserKeyDerivation.TagLength, 'k');

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A real container with the core; cached keys outlive any run, and a cache size of 0 disables the cache.</summary>
    public static ServiceProvider Build(IUserKeyInputsSource source, int cacheSize = 100_000)
    {
        var services = new ServiceCollection();
        services.AddSingleton(source);
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = Issuer;
            o.Audience = Audience;
            o.AccessTokenLifetime = TokenLifetime;
            o.KeyCacheSize = cacheSize;
            o.KeyCacheTtl = TimeSpan.FromHours(1);
            o.ServerSecrets.Add(new ServerSecretOptions { Id = SecretId, Secret = NewSecret() });
        });
        return services.BuildServiceProvider();
    }

    /// <summary>A user shaped like an Identity user: GUID id, 32-character stamp, V3 password hash length.</summary>
    public static UserKeyInputs NewUser() =>
        new(Guid.NewGuid().ToString(), Guid.NewGuid().ToString("N").ToUpperInvariant(), "AQAAAAIAAYagAAAAE" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));

    public static Claim[] Claims() => [new("role", "user"), new("email", "someone@example.com")];

    /// <summary>A new static HS256 key under <see cref="StaticKid"/>.</summary>
    public static SymmetricSecurityKey NewStaticKey() => new(RandomNumberGenerator.GetBytes(32)) { KeyId = StaticKid };

    /// <summary>
    /// What <see cref="UserKeyedTokenIssuer"/> writes for <paramref name="subject"/> and <paramref name="claims"/> (header
    /// fields, registered claims, lifetime, a fresh <c>jti</c> of the same length), signed with <paramref name="credentials"/>.
    /// </summary>
    public static SecurityTokenDescriptor Descriptor(SigningCredentials credentials, string subject, IEnumerable<Claim> claims)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).UtcDateTime;
        return new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [JwtRegisteredClaimNames.Sub] = subject,
                [JwtRegisteredClaimNames.Jti] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            },
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + TokenLifetime,
            TokenType = "at+jwt",
            SigningCredentials = credentials,
        };
    }

    /// <summary>Plain static-key validation parameters: issuer, audience, HS256 only, the access type, the lifetime.</summary>
    public static TokenValidationParameters StaticParameters(SecurityKey key) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidTypes = ["at+jwt"],
    };

    /// <summary>Throws unless <paramref name="result"/> is <paramref name="expected"/> (<see langword="null"/>: valid), so a broken case cannot look fast.</summary>
    public static void Expect(TokenValidationResult result, TokenFailureReason? expected, string what)
    {
        var reason = (result.Exception as UserKeyedTokenValidationException)?.Reason;
        if (result.IsValid != (expected is null) || reason != expected)
        {
            var actual = result.IsValid ? "valid" : reason?.ToString() ?? result.Exception?.GetType().Name ?? "invalid";
            throw new InvalidOperationException($"{what}: expected {expected?.ToString() ?? "valid"}, got {actual}.");
        }
    }

    /// <summary>Throws unless <paramref name="tokens"/> all have <paramref name="length"/> characters: a case and its baseline validate tokens of one size.</summary>
    public static void ExpectLength(IEnumerable<string> tokens, int length, string what)
    {
        if (tokens.FirstOrDefault(t => t.Length != length) is { } other)
        {
            throw new InvalidOperationException($"{what}: a token of {other.Length} characters, expected {length}.");
        }
    }

    /// <summary>The length of a user-keyed access token for a new user, which every static token must match.</summary>
    public static int UserKeyedTokenLength()
    {
        using var provider = Build(new InMemoryUserKeyInputsSource(), cacheSize: 0);
        return provider.GetRequiredService<UserKeyedTokenIssuer>().Issue(NewUser(), Claims()).Token.Length;
    }
}

/// <summary>Counts the reads that reach the user store, so that a case can prove how many it makes.</summary>
internal sealed class CountingSource(IUserKeyInputsSource inner) : IUserKeyInputsSource
{
    private long _reads;

    public long Reads => Interlocked.Read(ref _reads);

    public void Reset() => Interlocked.Exchange(ref _reads, 0);

    public ValueTask<UserKeyInputs?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        return inner.FindAsync(userId, cancellationToken);
    }
}
