namespace UserKeyedJwt.EntityFrameworkCore.Persistence;

/// <summary>The misuse the stores refuse, with messages that name the bound; never the value, which may be a secret.</summary>
internal static class Errors
{
    public static void ThrowIfLongerThan(string? value, int maxLength, string paramName)
    {
        if (value is not null && value.Length > maxLength)
        {
            throw new ArgumentException($"{paramName} is {value.Length} characters; the database store keeps at most {maxLength}.", paramName);
        }
    }
}
