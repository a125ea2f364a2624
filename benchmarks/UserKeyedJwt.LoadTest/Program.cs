using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using StackExchange.Redis;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.LoadTest;

var builder = WebApplication.CreateBuilder(args);
if (builder.Environment.IsProduction())
{
    throw new InvalidOperationException(
        "UserKeyedJwt.LoadTest hands out tokens to anyone (POST /bench/users) and is refused in Production; set ASPNETCORE_ENVIRONMENT=Development.");
}

var redisConfiguration = builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } configured
    ? configured
    : throw new InvalidOperationException("ConnectionStrings:Redis is required: the denylist and the key-cache invalidation bus run on a real redis-server.");

var database = LoadTestDatabase.From(builder.Configuration);
builder.Services.AddDbContext<LoadTestDbContext>(database.Configure);
builder.Services
    .AddIdentityCore<IdentityUser>(options => options.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
    .AddEntityFrameworkStores<LoadTestDbContext>()
    .AddUserKeyedJwt();

// Core settings come from the "UserKeyedJwt" section; without a configured secret, a random one lives as long as the process.
var randomSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
builder.Services.AddOptions<UserKeyedJwtOptions>().BindConfiguration(UserKeyedJwtOptions.SectionName);
builder.Services.AddUserKeyedJwt(options =>
{
    if (options.ServerSecrets.Count == 0)
    {
        options.ServerSecrets.Add(new ServerSecretOptions { Id = "loadtest", Secret = randomSecret });
    }
});
builder.Services.AddUserKeyedJwtRedisInvalidation(options => options.Configuration = redisConfiguration);
builder.Services.AddSingleton<IConnectionMultiplexer>(await ConnectionMultiplexer.ConnectAsync(redisConfiguration));
builder.Services.AddSingleton<RedisDenylist>();

// No default scheme: each endpoint runs only its own scheme, so none pays for another's token check.
builder.Services.AddAuthentication().AddUserKeyedJwtBearer();
Strategies.Add(builder.Services);
var authorization = builder.Services.AddAuthorizationBuilder();
foreach (var scheme in new[] { UserKeyedJwtDefaults.AuthenticationScheme, Strategies.Static, Strategies.Database, Strategies.Denylist })
{
    authorization.AddPolicy(scheme, policy => policy.AddAuthenticationSchemes(scheme).RequireAuthenticatedUser());
}

builder.Services.AddSingleton<MeterTotals>();
builder.Services.AddProblemDetails();

var app = builder.Build();
await database.CreateAsync(app);

// The cache subscribes to the bus now, so its heartbeats start before the first request.
_ = app.Services.GetRequiredService<IUserKeyCache>();

app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/me", Me).RequireAuthorization(UserKeyedJwtDefaults.AuthenticationScheme);
app.MapGet("/me/static", Me).RequireAuthorization(Strategies.Static);
app.MapGet("/me/db", Me).RequireAuthorization(Strategies.Database);
app.MapGet("/me/denylist", Me).RequireAuthorization(Strategies.Denylist);
app.MapPost("/bench/users", BenchUsers.CreateAsync);
app.MapPost("/bench/revoke", BenchUsers.RevokeAsync).RequireAuthorization(Strategies.Static);

// Resolved before listening starts, so the totals cover every request.
var totals = app.Services.GetRequiredService<MeterTotals>();
app.MapGet("/bench/stats", (bool? gc) => TypedResults.Ok(new BenchStats(totals.Snapshot(), GC.GetTotalMemory(forceFullCollection: gc ?? false), Environment.WorkingSet)));

await app.RunAsync();

// Every endpoint: the caller's id from its claims, nothing else, so that only the token check differs.
static IResult Me(ClaimsPrincipal principal) =>
    principal.FindFirstValue(UserKeyedJwtDefaults.UserIdClaimType) is { Length: > 0 } id ? TypedResults.Ok(new MeResponse(id)) : TypedResults.Unauthorized();

internal sealed record BenchStats(SortedDictionary<string, MeterTotals.InstrumentStats> Meters, long ManagedHeapBytes, long WorkingSetBytes);
