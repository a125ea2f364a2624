using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Support;

/// <summary>An application's Identity context, with the two sets and nothing else: no <c>OnModelCreating</c> for them.</summary>
public abstract class TestDbContext(DbContextOptions options) : IdentityDbContext<IdentityUser>(options), IUserKeyedJwtDbContext
{
    public DbSet<UserKeyedSessionEntity> UserKeyedSessions => Set<UserKeyedSessionEntity>();

    public DbSet<UserKeyedRevokedTokenEntity> UserKeyedRevokedTokens => Set<UserKeyedRevokedTokenEntity>();
}
