using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.Sample.Endpoints;

internal static class MeEndpoints
{
    public static void MapMeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/me", GetAsync).RequireAuthorization();
        app.MapPut("/me/profile", UpdateProfileAsync).RequireAuthorization();
    }

    private static async Task<IResult> GetAsync(ClaimsPrincipal principal, UserManager<SampleUser> users)
    {
        var user = await FindAsync(principal, users);
        if (user is null)
        {
            return TypedResults.Unauthorized();
        }

        var roles = await users.GetRolesAsync(user);
        return TypedResults.Ok(new MeResponse(user.Id, user.Email, user.DisplayName, [.. roles.Order(StringComparer.Ordinal)]));
    }

    // The display name is not a key input: changing it keeps every token valid.
    private static async Task<IResult> UpdateProfileAsync(ProfileRequest request, ClaimsPrincipal principal, UserManager<SampleUser> users)
    {
        if (request.DisplayName is { Length: > SampleUser.MaxDisplayNameLength })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["displayName"] = [$"At most {SampleUser.MaxDisplayNameLength} characters."] });
        }

        var user = await FindAsync(principal, users);
        if (user is null)
        {
            return TypedResults.Unauthorized();
        }

        user.DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? null : request.DisplayName.Trim();
        var result = await users.UpdateAsync(user);
        return result.Succeeded ? TypedResults.NoContent() : Problems.From(result);
    }

    private static Task<SampleUser?> FindAsync(ClaimsPrincipal principal, UserManager<SampleUser> users) => users.GetUserAsync(principal);
}
