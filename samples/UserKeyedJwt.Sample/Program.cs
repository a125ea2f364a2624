using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using UserKeyedJwt;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.Sample.Data;
using UserKeyedJwt.Sample.Endpoints;
using UserKeyedJwt.Sample.Hosting;

var builder = WebApplication.CreateBuilder(args);

// Users and sessions on SQLite (ConnectionStrings:Sample) by default, on PostgreSQL when ConnectionStrings:Users is set.
builder.Services.AddSampleDatabase();

// AddIdentityApiEndpoints' counterpart: Identity, its token providers, and UserKeyedJwt's bearer scheme as the default.
builder.Services
    .AddUserKeyedIdentityApiEndpoints<SampleUser>(options =>
    {
        options.User.RequireUniqueEmail = true;
        options.Password.RequiredLength = 10;
        options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
    })
    .AddRoles<IdentityRole>()
    .AddEntityFrameworkStores<SampleDbContext>();

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

builder.Services.AddAuthorizationBuilder().AddPolicy(AdminEndpoints.Policy, policy => policy.RequireRole(SampleDatabase.AdminRole));
builder.Services.AddProblemDetails();

// Identity's mail as JSON files in Sample:MailPickupFolder: a development stand-in for an SMTP sender.
builder.Services.AddSingleton<IEmailSender<SampleUser>, MailPickupEmailSender>();

// The OpenAPI document of every endpoint at /openapi/v1.json, and in Development an API page at /scalar.
builder.Services.AddOpenApi(options => options.AddDocumentTransformer<BearerSecurityScheme>());

// /health: the invalidation bus (Degraded while Redis is down: slower, never wrong) and the session store.
builder.Services.AddHealthChecks().AddUserKeyedJwt();

var app = builder.Build();
await SampleDatabase.InitializeAsync(app);
SampleInvalidation.Start(app);

// The demo page (wwwroot): plain HTML and JavaScript, served from the same origin as the API.
app.UseDefaultFiles();
app.UseStaticFiles();

app.UseAuthentication();
app.UseAuthorization();
app.MapOpenApi();
app.MapHealthChecks("/health");
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

// MapIdentityApi's routes under /identity, with logouts and the sessions list; the access tokens are user-keyed JWTs.
app.MapGroup("/identity").MapUserKeyedIdentityApi<SampleUser>();
app.MapMeEndpoints();
app.MapAdminEndpoints();

await app.RunAsync();

/// <summary>The sample's entry point; public so that <c>WebApplicationFactory&lt;Program&gt;</c> can host it in tests.</summary>
public partial class Program;
