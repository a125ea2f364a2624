using Microsoft.AspNetCore.Identity;

namespace UserKeyedJwt.Sample.Endpoints;

internal static class Problems
{
    /// <summary>400 with Identity's errors, keyed by error code, as <c>MapIdentityApi</c> answers.</summary>
    public static IResult From(IdentityResult result) =>
        TypedResults.ValidationProblem(result.Errors
            .GroupBy(e => e.Code)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
}
