using System.Text.RegularExpressions;
using UserKeyedJwt.Tests.Shared;

namespace UserKeyedJwt.ScaleOut.Tests.Support;

/// <summary>
/// The log check of the node processes: their captured output must hold nothing shaped like a JWT, and none of the
/// secrets the test knows of: the server secret, the passwords it chose, each token it sent or received (and its
/// signature), each user's password hash and security stamp as stored at the end, the secrets of the sessions the test saw
/// in the database, and the keys, user and session, derived from them.
/// </summary>
internal static partial class LogScan
{
    private const int MinimumLength = 12;

    public static string Redact(string line) => Jwt().Replace(line, "[token]");

    public static IEnumerable<string> Secrets(string serverSecret, IEnumerable<string> passwords, IEnumerable<string> tokens, IEnumerable<UserKeyInputs> materials, IEnumerable<UserKeyedSession>? sessions = null) =>
        passwords.Concat(KnownSecrets.Of([serverSecret], tokens, materials, sessions));

    /// <summary>Where a secret or a token shape appears: node and line number, never the value.</summary>
    public static List<string> FindLeaks(string node, IReadOnlyList<string> lines, IEnumerable<string> secrets)
    {
        var leaks = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (Jwt().IsMatch(lines[i]))
            {
                leaks.Add($"{node} output line {i + 1} holds something shaped like a JWT.");
            }
        }

        foreach (var secret in secrets.Where(s => s.Length >= MinimumLength).Distinct(StringComparer.Ordinal))
        {
            var index = lines.ToList().FindIndex(l => l.Contains(secret, StringComparison.Ordinal));
            if (index >= 0)
            {
                leaks.Add($"{node} output line {index + 1} leaks a secret value of length {secret.Length}.");
            }
        }

        return leaks;
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.", RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();
}
