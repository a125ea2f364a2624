using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.EntityFrameworkCore;

/// <summary>
/// Implemented by the application's <see cref="DbContext"/> (typically its Identity context) to hold UserKeyedJwt's sessions
/// and <c>jti</c> denylist. The two entity types configure themselves by attributes, so declaring the two sets is all the
/// model needs: no <c>OnModelCreating</c> call. Add a migration after implementing it.
/// </summary>
/// <example>
/// <code>
/// public sealed class AppDbContext(DbContextOptions&lt;AppDbContext&gt; options) : IdentityDbContext&lt;AppUser&gt;(options), IUserKeyedJwtDbContext
/// {
///     public DbSet&lt;UserKeyedSessionEntity&gt; UserKeyedSessions =&gt; Set&lt;UserKeyedSessionEntity&gt;();
///     public DbSet&lt;UserKeyedRevokedTokenEntity&gt; UserKeyedRevokedTokens =&gt; Set&lt;UserKeyedRevokedTokenEntity&gt;();
/// }
///
/// services.AddDbContext&lt;AppDbContext&gt;(o =&gt; o.UseNpgsql(connectionString));
/// services.AddUserKeyedJwtSessions();
/// services.AddUserKeyedJwtEntityFrameworkCoreStores&lt;AppDbContext&gt;();
/// </code>
/// </example>
public interface IUserKeyedJwtDbContext
{
    /// <summary>The sessions, one row per sign-in on one device.</summary>
    DbSet<UserKeyedSessionEntity> UserKeyedSessions { get; }

    /// <summary>The <c>jti</c> denylist, one row per revoked token.</summary>
    DbSet<UserKeyedRevokedTokenEntity> UserKeyedRevokedTokens { get; }
}
