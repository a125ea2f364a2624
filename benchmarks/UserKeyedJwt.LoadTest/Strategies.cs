using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;
using UserKeyedJwt.AspNetCore;

namespace UserKeyedJwt.LoadTest;

/// <summary>
/// The revocation strategies .NET apps use today, each as its own JwtBearer scheme under the static key:
/// <list type="bullet">
/// <item><see cref="Static"/>: nothing more; nothing can be revoked before expiry.</item>
/// <item><see cref="Database"/>: a security-stamp check per request in the style of Identity's <c>SecurityStampValidator</c>:
/// the token carries a digest of the stamp, compared with the user's current one read through <see cref="UserManager{TUser}"/>.</item>
/// <item><see cref="Denylist"/>: a Redis lookup of the token's <c>jti</c> per request.</item>
/// </list>
/// </summary>
internal static class Strategies
{
    public const string Static = "StaticKey";
    public const string Database = "DatabaseRead";
    public const string Denylist = "RedisDenylist";

    /// <summary>The claim that carries the stamp's digest in <see cref="Database"/> tokens.</summary>
    public const string StampDigestClaim = "sst";

    public static void Add(IServiceCollection services)
    {
        StaticKey.AddScheme(services, Static);
        StaticKey.AddScheme(services, Database, () => new JwtBearerEvents { OnTokenValidated = CheckStampAsync });
        StaticKey.AddScheme(services, Denylist, () => new JwtBearerEvents { OnTokenValidated = CheckDenylistAsync });
    }

    /// <summary>A digest rather than the stamp itself, so that the token does not reveal a key input of the user-keyed scheme.</summary>
    public static string StampDigest(string? stamp) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(stamp ?? "")));

    private static async Task CheckStampAsync(TokenValidatedContext context)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<UserManager<IdentityUser>>();
        var id = context.Principal?.FindFirstValue(UserKeyedJwtDefaults.UserIdClaimType);
        var claimed = context.Principal?.FindFirstValue(StampDigestClaim);
        var user = id is null || claimed is null ? null : await users.FindByIdAsync(id);
        var current = user is null ? null : StampDigest(await users.GetSecurityStampAsync(user));
        if (current is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(claimed!), Encoding.ASCII.GetBytes(current)))
        {
            context.Fail("The user is gone or their security stamp has changed.");
        }
    }

    private static async Task CheckDenylistAsync(TokenValidatedContext context)
    {
        var denylist = context.HttpContext.RequestServices.GetRequiredService<RedisDenylist>();
        if (context.Principal?.FindFirstValue("jti") is not { Length: > 0 } jti || await denylist.ContainsAsync(jti))
        {
            context.Fail("The token is revoked.");
        }
    }
}

/// <summary>Revoked <c>jti</c>s in Redis, each key expiring with its token.</summary>
internal sealed class RedisDenylist(IConnectionMultiplexer redis, TimeProvider time)
{
    private const string Prefix = "loadtest:deny:";

    public Task<bool> ContainsAsync(string jti) => redis.GetDatabase().KeyExistsAsync(Prefix + jti);

    public Task AddAsync(string jti, DateTimeOffset expiresAt) =>
        redis.GetDatabase().StringSetAsync(Prefix + jti, "1", expiresAt - time.GetUtcNow() + TimeSpan.FromMinutes(1));
}
