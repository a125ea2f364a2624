using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace UserKeyedJwt.Sample.Data;

internal sealed class SampleDbContext(DbContextOptions<SampleDbContext> options) : IdentityDbContext<SampleUser, IdentityRole, string>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<SampleUser>().Property(u => u.DisplayName).HasMaxLength(SampleUser.MaxDisplayNameLength);
    }
}
