using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace UserKeyedJwt.AspNetCore.IdentityApi;

/// <summary>The validation problems of the Identity API: Identity's error codes as keys, their descriptions as values.</summary>
internal static class IdentityApiProblems
{
    public static ValidationProblem From(IdentityResult result)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var error in result.Errors)
        {
            errors[error.Code] = errors.TryGetValue(error.Code, out var descriptions) ? [.. descriptions, error.Description] : [error.Description];
        }

        return TypedResults.ValidationProblem(errors);
    }

    public static ValidationProblem Single(string code, string description) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { [code] = [description] });

    public static bool IsTooLong(string? password) => password is { Length: > UserKeyedIdentityApiDefaults.MaxPasswordLength };

    public static ValidationProblem PasswordTooLong() =>
        Single(UserKeyedIdentityApiDefaults.PasswordTooLongErrorCode, $"Passwords must be at most {UserKeyedIdentityApiDefaults.MaxPasswordLength} characters.");

    public static ValidationProblem LockedOut() =>
        Single(UserKeyedIdentityApiDefaults.LockedOutErrorCode, "The account is locked out. Try again later.");
}
