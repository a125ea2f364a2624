using System.Diagnostics.CodeAnalysis;

namespace UserKeyedJwt;

/// <summary>The shape of a server secret's id: 1 to 32 characters from <c>[A-Za-z0-9_-]</c>. It travels in every <c>kid</c>.</summary>
internal static class ServerSecretId
{
    public const int MaxLength = 32;

    public static bool IsValid([NotNullWhen(true)] string? value) =>
        value is { Length: > 0 and <= MaxLength } && !value.AsSpan().ContainsAnyExcept(Alphabet);

    private static readonly System.Buffers.SearchValues<char> Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
}
