using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.LoadTest;

var builder = WebApplication.CreateBuilder(args);
if (builder.Environment.IsProduction())
{
    throw new InvalidOperationException(
        "UserKeyedJwt.LoadTest hands out tokens to anyone (POST /bench/users) and is refused in Production; set ASPNETCORE_ENVIRONMENT=Development.");
}

var database = LoadTestDatabase.From(builder.Configuration);
builder.Services.AddDbContext<LoadTestDbContext>(options => options.UseSqlite(database.ConnectionString));
builder.Services
    .AddIdentityCore<IdentityUser>(options => options.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
    .AddEntityFrameworkStores<LoadTestDbContext>()
    .AddUserKeyedJwt();

// Load scripts that set passwords measure the token checks, not PBKDF2.
builder.Services.Configure<PasswordHasherOptions>(options => options.IterationCount = 1_000);

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

// No default scheme: each endpoint runs only its own scheme, so neither pays for the other's token check.
builder.Services.AddAuthentication().AddUserKeyedJwtBearer();
StaticKey.AddScheme(builder.Services);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(UserKeyedJwtDefaults.AuthenticationScheme, policy => policy.AddAuthenticationSchemes(UserKeyedJwtDefaults.AuthenticationScheme).RequireAuthenticatedUser())
    .AddPolicy(StaticKey.Scheme, policy => policy.AddAuthenticationSchemes(StaticKey.Scheme).RequireAuthenticatedUser());
builder.Services.AddSingleton<MeterTotals>();
builder.Services.AddProblemDetails();

var app = builder.Build();
await database.CreateAsync(app);

app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/me", Me).RequireAuthorization(UserKeyedJwtDefaults.AuthenticationScheme);
app.MapGet("/me/static", Me).RequireAuthorization(StaticKey.Scheme);
app.MapPost("/bench/users", BenchUsers.CreateAsync);

// Resolved before listening starts, so the totals cover every request.
var totals = app.Services.GetRequiredService<MeterTotals>();
app.MapGet("/bench/stats", () => TypedResults.Ok(totals.Snapshot()));

await app.RunAsync();

// Both endpoints: the caller's id from its claims, nothing else, so that only the token check differs.
static IResult Me(ClaimsPrincipal principal) =>
    principal.FindFirstValue(UserKeyedJwtDefaults.UserIdClaimType) is { Length: > 0 } id ? TypedResults.Ok(new MeResponse(id)) : TypedResults.Unauthorized();
