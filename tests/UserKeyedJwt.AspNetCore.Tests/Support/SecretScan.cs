using Microsoft.Data.Sqlite;
using UserKeyedJwt.Tests.Shared;

namespace UserKeyedJwt.AspNetCore.Tests.Support;

/// <summary>
/// The suite-wide log check. Every <see cref="SampleApp"/> captures its logs at Trace level and, when disposed, scans them
/// for every secret it knows of: the server secrets, each token sent or handed out, each password hash and security stamp
/// the store ever returned or holds at the end, each session secret, each derived key (base64, base64url, hex) and its JWK thumbprint.
/// </summary>
internal static class SecretScan
{
    private const int MinimumLength = 12;

    public static IEnumerable<string> Secrets(IEnumerable<string> serverSecrets, IEnumerable<string> tokens, IEnumerable<UserKeyInputs> materials, IEnumerable<UserKeyedSession> sessions) =>
        KnownSecrets.Of(serverSecrets, tokens, materials, sessions);

    /// <summary>Every user's current hash and stamp, read straight from the SQLite file (the app may be stopped).</summary>
    public static List<UserKeyInputs> StoredMaterials(string databasePath)
    {
        var materials = new List<UserKeyInputs>();
        if (!File.Exists(databasePath))
        {
            return materials;
        }

        try
        {
            using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT \"Id\", \"SecurityStamp\", \"PasswordHash\" FROM \"AspNetUsers\"";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                materials.Add(new UserKeyInputs(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }
        catch (SqliteException)
        {
            // No schema (the app never started) or the table is taken offline by a test: nothing more to learn.
        }

        return materials;
    }

    public static List<string> FindLeaks(IEnumerable<CapturedLogs.Entry> entries, IEnumerable<string> secrets)
    {
        var lines = entries.ToList();
        var leaks = new List<string>();
        foreach (var secret in secrets.Where(s => s.Length >= MinimumLength).Distinct(StringComparer.Ordinal))
        {
            // Report where, never what: the report itself must not carry the secret.
            if (lines.FirstOrDefault(e => e.Text.Contains(secret, StringComparison.Ordinal)) is { } leak)
            {
                leaks.Add($"{leak.Category} [{leak.EventId}] at {leak.Level} leaks a secret value of length {secret.Length}.");
            }
        }

        return leaks;
    }
}
