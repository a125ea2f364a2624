using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.Sample.Endpoints;

/// <summary>
/// Load-test mode (scripts/loadtest.sh), off unless <c>Sample:Benchmark:Enabled</c> is true, and refused in Production.
/// It adds <c>GET /me/static</c>: the same handler as <c>GET /me</c>, behind plain JwtBearer with one static key, so both
/// endpoints do the same work except the token check; and <c>POST /bench/users</c>, which creates users and returns a
/// user-keyed and a static-key token for each, with the same claims; and <c>GET /bench/stats</c>, the running totals of the
/// <c>UserKeyedJwt</c> meter's instruments (counts only, see <see cref="BenchmarkStats"/>). Password hashing is cheapened
/// (<see cref="PasswordHashIterations"/> PBKDF2 iterations instead of Identity's 100,000), so that load tests that log in
/// and change passwords measure the token checks rather than the hashing.
/// </summary>
internal static class BenchmarkEndpoints
{
    public const string EnabledSetting = "Sample:Benchmark:Enabled";
    public const int PasswordHashIterations = 1_000;
    private const string Scheme = "StaticJwtBenchmark";

    public static void AddBenchmarkMode(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>(EnabledSetting))
        {
            return;
        }

        if (builder.Environment.IsProduction())
        {
            throw new InvalidOperationException($"{EnabledSetting} opens an unauthenticated user-creation endpoint for load tests; it is refused in Production.");
        }

        builder.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = PasswordHashIterations);
        builder.Services.AddSingleton<BenchmarkStats>();

        var key = new StaticBenchmarkKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "static" });
        builder.Services.AddSingleton(key);
        builder.Services.AddAuthentication().AddJwtBearer(Scheme, options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = builder.Configuration["UserKeyedJwt:Issuer"],
                ValidAudience = builder.Configuration["UserKeyedJwt:Audience"],
                IssuerSigningKey = key.Key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ValidTypes = ["at+jwt"],
                NameClaimType = UserKeyedJwtDefaults.NameClaimType,
                RoleClaimType = UserKeyedJwtDefaults.RoleClaimType,
            };
        });
    }

    public static void MapBenchmarkEndpoints(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>(EnabledSetting))
        {
            return;
        }

        app.MapGet("/me/static", MeEndpoints.GetAsync).RequireAuthorization(policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        app.MapPost("/bench/users", CreateUsersAsync);

        // Listening starts here, before the first request, so the totals cover all of them.
        var stats = app.Services.GetRequiredService<BenchmarkStats>();
        app.MapGet("/bench/stats", () => TypedResults.Ok(stats.Snapshot()));
    }

    private static async Task<IResult> CreateUsersAsync(
        BenchmarkUsersRequest request,
        UserManager<SampleUser> users,
        IUserTokenService<SampleUser> tokens,
        StaticBenchmarkKey key,
        IOptions<UserKeyedJwtOptions> options,
        TimeProvider time)
    {
        if (request.Count is < 1 or > 10_000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = ["Between 1 and 10000."] });
        }

        var writer = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var created = new List<BenchmarkUser>(request.Count);
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < request.Count; i++)
        {
            // No password: load tests measure token checks, not password hashing.
            var user = new SampleUser { UserName = $"bench-{run}-{i}@bench.local", Email = $"bench-{run}-{i}@bench.local" };
            var result = await users.CreateAsync(user);
            if (!result.Succeeded)
            {
                return Problems.From(result);
            }

            var issued = await tokens.IssueAsync(user);
            var now = time.GetUtcNow().UtcDateTime;
            var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["sub"] = user.Id, ["jti"] = Guid.NewGuid().ToString("N") };
            var staticToken = writer.CreateToken(new SecurityTokenDescriptor
            {
                Subject = new ClaimsIdentity([new Claim("name", user.UserName ?? string.Empty)]),
                Claims = claims,
                Issuer = options.Value.Issuer,
                Audience = options.Value.Audience,
                IssuedAt = now,
                NotBefore = now,
                Expires = issued.ExpiresAt.UtcDateTime,
                TokenType = "at+jwt",
                SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
            });
            created.Add(new BenchmarkUser(user.Id, issued.Token, staticToken));
        }

        return TypedResults.Ok(created);
    }

    internal sealed record StaticBenchmarkKey(SymmetricSecurityKey Key);

    internal sealed record BenchmarkUsersRequest(int Count);

    internal sealed record BenchmarkUser(string Id, string AccessToken, string StaticToken);
}
