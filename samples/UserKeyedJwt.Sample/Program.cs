using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.Sample.Data;
using UserKeyedJwt.Sample.Endpoints;
using UserKeyedJwt.Sample.Hosting;

var builder = WebApplication.CreateBuilder(args);

// Users and sessions on SQLite (ConnectionStrings:Sample) by default, on PostgreSQL when ConnectionStrings:Users is set.
builder.Services.AddSampleDatabase();

builder.Services
    .AddIdentityCore<SampleUser>(options =>
    {
        options.User.RequireUniqueEmail = true;
        options.Password.RequiredLength = 10;
        options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
    })
    .AddRoles<IdentityRole>()
    .AddEntityFrameworkStores<SampleDbContext>()
    .AddUserKeyedJwt();

// Identity's PBKDF2 cost unless Identity:PasswordHasher:IterationCount lowers it: a setting for tests and load tests only.
builder.Services.AddOptions<PasswordHasherOptions>().BindConfiguration("Identity:PasswordHasher");

// Core settings come from the "UserKeyedJwt" section; SampleServerSecret fills in a development secret when none is set.
builder.Services.AddOptions<UserKeyedJwtOptions>().BindConfiguration(UserKeyedJwtOptions.SectionName);
builder.Services.AddSingleton<IConfigureOptions<UserKeyedJwtOptions>, SampleServerSecret>();
builder.Services.AddOptions<UserKeyedJwtBearerOptions>().BindConfiguration(UserKeyedJwtBearerOptions.SectionName);
builder.Services.AddOptions<UserKeyedSessionOptions>().BindConfiguration(UserKeyedSessionOptions.SectionName);

// Sessions and the jti denylist live beside the users, so every node sees the same ones and a restart keeps them.
builder.Services.AddUserKeyedJwtEntityFrameworkCoreStores<SampleDbContext>();

// Cross-node key-cache invalidation on Redis pub/sub, also when ConnectionStrings:Redis is set (optional settings in
// UserKeyedJwt:RedisInvalidation: Channel, HeartbeatInterval, HeartbeatTimeout, Timeout).
SampleInvalidation.AddIfConfigured(builder);

builder.Services.AddAuthentication(UserKeyedJwtDefaults.AuthenticationScheme).AddUserKeyedJwtBearer();
builder.Services.AddAuthorizationBuilder().AddPolicy(AdminEndpoints.Policy, policy => policy.RequireRole(SampleDatabase.AdminRole));
builder.Services.AddSingleton<UnknownUserPasswordHash>();
builder.Services.AddProblemDetails();

var app = builder.Build();
await SampleDatabase.InitializeAsync(app);
SampleInvalidation.Start(app);

app.UseAuthentication();
app.UseAuthorization();
app.MapAuthEndpoints();
app.MapMeEndpoints();
app.MapAdminEndpoints();

await app.RunAsync();

/// <summary>The sample's entry point; public so that <c>WebApplicationFactory&lt;Program&gt;</c> can host it in tests.</summary>
public partial class Program;
