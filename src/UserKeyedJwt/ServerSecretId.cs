using System.Diagnostics.CodeAnalysis;

namespace UserKeyedJwt;

/// <summary>
/// The id of a server secret in the ring: 1 to 32 characters from <c>[A-Za-z0-9_-]</c>.
/// It travels in every token's <c>kid</c>, so it is never secret.
/// </summary>
public readonly record struct ServerSecretId
{
    /// <summary>The longest id allowed.</summary>
    public const int MaxLength = 32;

    private ServerSecretId(string value) => Value = value;

    /// <summary>The id's text.</summary>
    public string Value { get; }

    /// <summary>Parses an id, throwing <see cref="FormatException"/> when it is not valid.</summary>
    public static ServerSecretId Parse(string value) =>
        TryParse(value, out var id)
            ? id
            : throw new FormatException($"A server secret id is 1 to {MaxLength} characters from [A-Za-z0-9_-].");

    /// <summary>Parses an id.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out ServerSecretId id)
    {
        if (IsValid(value))
        {
            id = new ServerSecretId(value);
            return true;
        }

        id = default;
        return false;
    }

    internal static bool IsValid([NotNullWhen(true)] string? value) => value is not null && IsValid(value.AsSpan());

    internal static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Value ?? string.Empty;
}
