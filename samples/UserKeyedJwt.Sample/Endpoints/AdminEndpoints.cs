using Microsoft.AspNetCore.Identity;
using UserKeyedJwt.AspNetCore;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.Sample.Endpoints;

internal static class AdminEndpoints
{
    public const string Policy = "admin";
    private const int MaxRoleLength = 64;

    public static void MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/users/{id}").RequireAuthorization(Policy);
        admin.MapPost("/roles/{role}", AddRoleAsync);
        admin.MapDelete("/roles/{role}", RemoveRoleAsync);
        admin.MapPost("/revoke", RevokeAsync);

        // GET /admin/users/{userId}/sessions, DELETE .../sessions/{id} and DELETE .../sessions come from the library.
        app.MapUserKeyedJwtSessionAdminEndpoints<SampleUser>("/admin/users").RequireAuthorization(Policy);
    }

    // UserKeyedUserManager rotates the stamp after AddToRoleAsync, which Identity does not: the user's tokens die. Adding a
    // role the user has already changes nothing and keeps them.
    private static async Task<IResult> AddRoleAsync(string id, string role, UserKeyedUserManager<SampleUser> users, RoleManager<IdentityRole> roles)
    {
        if (!IsValidRole(role))
        {
            return InvalidRole();
        }

        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        if (!await roles.RoleExistsAsync(role))
        {
            var created = await roles.CreateAsync(new IdentityRole(role));
            if (!created.Succeeded)
            {
                return Problems.From(created);
            }
        }

        if (await users.IsInRoleAsync(user, role))
        {
            return TypedResults.NoContent();
        }

        var result = await users.AddToRoleAsync(user, role);
        return result.Succeeded ? TypedResults.NoContent() : Problems.From(result);
    }

    // Likewise after RemoveFromRoleAsync; removing a role the user does not have changes nothing.
    private static async Task<IResult> RemoveRoleAsync(string id, string role, UserKeyedUserManager<SampleUser> users)
    {
        if (!IsValidRole(role))
        {
            return InvalidRole();
        }

        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        if (!await users.IsInRoleAsync(user, role))
        {
            return TypedResults.NoContent();
        }

        var result = await users.RemoveFromRoleAsync(user, role);
        return result.Succeeded ? TypedResults.NoContent() : Problems.From(result);
    }

    private static async Task<IResult> RevokeAsync(string id, UserKeyedUserManager<SampleUser> users)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        var result = await users.RevokeAllTokensAsync(user);
        return result.Succeeded ? TypedResults.NoContent() : Problems.From(result);
    }

    private static bool IsValidRole(string role) =>
        role.Length is > 0 and <= MaxRoleLength && role.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static IResult InvalidRole() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = [$"1 to {MaxRoleLength} characters from [A-Za-z0-9_-]."] });
}
