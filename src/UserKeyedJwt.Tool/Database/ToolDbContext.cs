using Microsoft.EntityFrameworkCore;
using UserKeyedJwt.EntityFrameworkCore;

namespace UserKeyedJwt.Tool.Database;

/// <summary>
/// The three columns of Identity's <c>AspNetUsers</c> that are key inputs, and UserKeyedJwt's session and denylist tables,
/// mapped as the app maps them: the tool reads the app's own rows and never writes.
/// </summary>
internal sealed class ToolDbContext(DbContextOptions<ToolDbContext> options) : DbContext(options), IUserKeyedJwtDbContext
{
    public DbSet<IdentityUserRow> Users => Set<IdentityUserRow>();

    public DbSet<UserKeyedSessionEntity> UserKeyedSessions => Set<UserKeyedSessionEntity>();

    public DbSet<UserKeyedRevokedTokenEntity> UserKeyedRevokedTokens => Set<UserKeyedRevokedTokenEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IdentityUserRow>(user =>
        {
            user.ToTable("AspNetUsers");
            user.HasKey(u => u.Id);
        });
    }
}

/// <summary>A user's key inputs as Identity stores them. The hash and the stamp are secrets: never print them.</summary>
internal sealed class IdentityUserRow
{
    public required string Id { get; set; }

    public string? PasswordHash { get; set; }

    public string? SecurityStamp { get; set; }

    public override string ToString() => $"IdentityUserRow(Id = {Id})";
}
