using Microsoft.AspNetCore.Identity;
using UserKeyedJwt.AspNetCore;

namespace UserKeyedJwt.LoadTest;

internal static class BenchUsers
{
    public const int MaxCount = 10_000;

    /// <summary>Creates users without passwords and returns for each a user-keyed and a static-key token of the same claims.</summary>
    public static async Task<IResult> CreateAsync(CreateUsersRequest request, UserManager<IdentityUser> users, IUserTokenService<IdentityUser> tokens, StaticKey key)
    {
        if (request.Count is < 1 or > MaxCount)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = [$"Between 1 and {MaxCount}."] });
        }

        var created = new List<BenchUser>(request.Count);
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < request.Count; i++)
        {
            var email = $"bench-{run}-{i}@bench.local";
            var user = new IdentityUser(email) { Email = email };
            var result = await users.CreateAsync(user);
            if (!result.Succeeded)
            {
                return TypedResults.ValidationProblem(result.Errors.GroupBy(e => e.Code).ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
            }

            var issued = await tokens.IssueAsync(user);
            created.Add(new BenchUser(user.Id, issued.Token, key.Sign(issued.Token)));
        }

        return TypedResults.Ok(created);
    }
}

internal sealed record CreateUsersRequest(int Count);

internal sealed record BenchUser(string Id, string AccessToken, string StaticToken);

internal sealed record MeResponse(string Id);
