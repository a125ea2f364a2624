using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.Sample.Hosting;

/// <summary>Where the SQLite database lives, and what happens to it at startup.</summary>
internal static partial class SampleDatabase
{
    public const string ConnectionStringName = "Sample";
    public const string AdminRole = "admin";
    public const string AdminEmailSetting = "Sample:Admin:Email";
    public const string AdminPasswordSetting = "Sample:Admin:Password";

    /// <summary>The configured connection string, with a relative file path resolved against the content root.</summary>
    public static string ConnectionString(IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not set; it names the SQLite database, for example \"Data Source=userkeyedjwt-sample.db\".");
        }

        var builder = new SqliteConnectionStringBuilder(configured);
        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file))
        {
            builder.DataSource = Path.GetFullPath(file, environment.ContentRootPath);
        }

        return builder.ToString();
    }

    /// <summary>Checks the server secret first (so a misconfigured app creates nothing), creates the schema, seeds the admin.</summary>
    public static async Task InitializeAsync(WebApplication app)
    {
        _ = app.Services.GetRequiredService<IOptions<UserKeyedJwtOptions>>().Value;

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        await db.Database.EnsureCreatedAsync();
        await SeedAdminAsync(scope.ServiceProvider, app.Configuration, app.Logger);
    }

    private static async Task SeedAdminAsync(IServiceProvider services, IConfiguration configuration, ILogger logger)
    {
        var email = configuration[AdminEmailSetting];
        var password = configuration[AdminPasswordSetting];
        if (string.IsNullOrWhiteSpace(email) && string.IsNullOrEmpty(password))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            throw new InvalidOperationException($"Set both {AdminEmailSetting} and {AdminPasswordSetting} to seed the admin account, or neither.");
        }

        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        if (!await roles.RoleExistsAsync(AdminRole))
        {
            Check(await roles.CreateAsync(new IdentityRole(AdminRole)), "creating the admin role");
        }

        var users = services.GetRequiredService<UserManager<SampleUser>>();
        var admin = await users.FindByEmailAsync(email);
        if (admin is null)
        {
            admin = new SampleUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Administrator" };
            Check(await users.CreateAsync(admin, password), $"creating the admin account from {AdminEmailSetting} and {AdminPasswordSetting}");
            LogAdminSeeded(logger, admin.Id);
        }

        if (!await users.IsInRoleAsync(admin, AdminRole))
        {
            Check(await users.AddToRoleAsync(admin, AdminRole), "adding the admin account to the admin role");
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            // Error codes and descriptions only: Identity's messages never echo the password.
            throw new InvalidOperationException($"Startup failed while {what}: {string.Join(" ", result.Errors.Select(e => $"{e.Code}: {e.Description}"))}");
        }
    }

    [LoggerMessage(EventId = 9002, EventName = "AdminSeeded", Level = LogLevel.Information, Message = "Seeded the admin account {UserId}.")]
    private static partial void LogAdminSeeded(ILogger logger, string userId);
}
