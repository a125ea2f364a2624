using System.Data.Common;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using UserKeyedJwt.AspNetCore;

namespace UserKeyedJwt.LoadTest;

internal static class BenchUsers
{
    public const int MaxCount = 1_000_000;

    private const int Batch = 10_000;
    private static readonly string[] Kinds = ["keyed", "static", "stamped"];

    /// <summary>
    /// Inserts <paramref name="count"/> users without passwords in batches of plain SQL (Identity's PBKDF2 and per-user
    /// round trips would make 10^6 users take hours) and streams one line per user: the id, then the requested tokens
    /// (<c>keyed</c>: user-keyed; <c>static</c>: the same claims under the static key; <c>stamped</c>: those plus the
    /// stamp digest the database-read scheme checks), tab-separated.
    /// </summary>
    public static async Task CreateAsync(HttpContext http, int count, string? tokens, LoadTestDbContext db, UserKeyedTokenIssuer issuer, StaticKey key)
    {
        var kinds = (tokens ?? string.Join(',', Kinds)).Split(',', StringSplitOptions.TrimEntries);
        if (count is < 1 or > MaxCount || kinds.Any(k => !Kinds.Contains(k)))
        {
            await TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["count"] = [$"Between 1 and {MaxCount}."],
                ["tokens"] = [$"A comma-separated list of {string.Join(", ", Kinds)}."],
            }).ExecuteAsync(http);
            return;
        }

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(http.RequestAborted);
        http.Response.ContentType = "text/plain; charset=utf-8";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 1 << 16);
        var run = RandomNumberGenerator.GetHexString(8, lowercase: true);
        var users = new List<(string Id, string Name, string Stamp)>(Batch);
        for (var start = 0; start < count; start += Batch)
        {
            users.Clear();
            for (var i = start; i < Math.Min(count, start + Batch); i++)
            {
                users.Add((Guid.NewGuid().ToString(), $"bench-{run}-{i}", RandomNumberGenerator.GetHexString(32)));
            }

            await InsertAsync(connection, users, http.RequestAborted);
            foreach (var (id, name, stamp) in users)
            {
                var keyed = issuer.Issue(new UserKeyInputs(id, stamp, passwordHash: null), [new Claim(UserKeyedJwtDefaults.NameClaimType, name)], TokenPurpose.Access).Token;
                await writer.WriteAsync(id);
                foreach (var kind in kinds)
                {
                    await writer.WriteAsync('\t');
                    await writer.WriteAsync(kind switch
                    {
                        "keyed" => keyed,
                        "static" => key.Sign(keyed),
                        _ => key.Sign(keyed, (Strategies.StampDigestClaim, Strategies.StampDigest(stamp))),
                    });
                }

                await writer.WriteAsync('\n');
            }

            await writer.FlushAsync(http.RequestAborted);
        }
    }

    /// <summary>
    /// Revokes the caller (authenticated by the static key, whose tokens carry the same <c>sub</c> and <c>jti</c> as the
    /// others): rotates the user's security stamp through Identity, which the database-read and user-keyed schemes see,
    /// and denylists the token's <c>jti</c> in Redis.
    /// </summary>
    public static async Task<IResult> RevokeAsync(ClaimsPrincipal principal, UserManager<IdentityUser> users, RedisDenylist denylist)
    {
        if (principal.FindFirstValue(UserKeyedJwtDefaults.UserIdClaimType) is not { } id
            || principal.FindFirstValue("jti") is not { } jti
            || !long.TryParse(principal.FindFirstValue("exp"), out var exp)
            || await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        var result = await users.UpdateSecurityStampAsync(user);
        if (!result.Succeeded)
        {
            return TypedResults.Problem("The security stamp could not be updated.");
        }

        await denylist.AddAsync(jti, DateTimeOffset.FromUnixTimeSeconds(exp));
        return TypedResults.NoContent();
    }

    private static async Task InsertAsync(DbConnection connection, List<(string Id, string Name, string Stamp)> users, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "SecurityStamp", "ConcurrencyStamp",
                "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            VALUES (@id, @name, @normalized, @stamp, @concurrency, FALSE, FALSE, FALSE, TRUE, 0)
            """;
        var parameters = new[] { "@id", "@name", "@normalized", "@stamp", "@concurrency" }.Select(name =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = "";
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        await command.PrepareAsync(cancellationToken);
        foreach (var (id, name, stamp) in users)
        {
            parameters[0].Value = id;
            parameters[1].Value = name;
            parameters[2].Value = name.ToUpperInvariant();
            parameters[3].Value = stamp;
            parameters[4].Value = Guid.NewGuid().ToString();
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

internal sealed record MeResponse(string Id);
