using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.Tool.Configuration;
using UserKeyedJwt.Tool.Database;
using UserKeyedJwt.Tool.Inspecting;

namespace UserKeyedJwt.Tool.Explaining;

/// <summary>
/// Runs the app's own <see cref="UserKeyedTokenHandler"/> on a token and turns its <see cref="TokenFailureReason"/> into the
/// step that rejects the token and a one-line reason. Never prints a secret, key, hash, stamp or signature.
/// </summary>
internal static class Explainer
{
    // In the order the handler takes them (docs/key-derivation.md, "Validating, in order").
    private static readonly string[] StepNames = ["format", "purpose", "lifetime", "secret", "kid tag", "user", "session", "key inputs", "signature", "denylist"];
    private const int FirstStoreStep = 5;

    public static async Task<Explanation> ExplainAsync(string token, TokenPurpose purpose, AppSettings settings, string? connectionString, DatabaseProvider provider, CancellationToken cancellationToken)
    {
        var failures = new StoreFailures();
        var offline = new OfflineKeyInputsSource();
        await using var services = ToolServices.Build(settings, connectionString, provider, failures, offline);
        var options = ToolServices.Options(services, settings);
        var handler = ToolServices.Get<UserKeyedTokenHandler>(services, settings);
        if (connectionString is not null)
        {
            _ = await ToolServices.CheckDatabaseAsync(services, failures, cancellationToken);
        }

        var result = await handler.ValidateAsync(token, purpose, cancellationToken);
        _ = DecodedToken.TryDecode(token, out var decoded, out var problem);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();

        if (result.IsValid)
        {
            var session = decoded?.SessionId is { } sid ? $", session '{sid}'" : ", no session";
            var until = decoded?.Time("exp") is { } exp ? $", until {Format(exp)} ({Relative(exp, now)})" : "";
            return new Explanation("valid", "valid", null, $"valid: {WithArticle(purpose)} token of user '{result.UserId}'{session}{until}.", Statuses(StepNames.Length, "ok"));
        }

        var reason = result.FailureReason!.Value;
        if (connectionString is null && offline.Asked)
        {
            return new Explanation("unchecked", "not checked", null,
                "passes every check that needs no database (format, purpose, lifetime, secret, kid tag); user, session, key inputs, signature "
                + "and denylist were not checked: give --connection-string or --connection-name to check them.",
                Statuses(FirstStoreStep, "not checked", "not checked"));
        }

        var (step, index, why) = reason switch
        {
            TokenFailureReason.Malformed => ("malformed", 0, "not a token this server issues: " + MalformedDetail(decoded, problem, options)),
            TokenFailureReason.WrongPurpose => ("wrong purpose", 1, WrongPurpose(decoded, purpose)),
            TokenFailureReason.Expired => ("expired", 2, decoded?.Time("exp") is { } exp
                ? $"it expired at {Format(exp)} ({Relative(exp, now)}), beyond the {Seconds(options.ClockSkew)} clock skew."
                : "it has expired."),
            TokenFailureReason.NotYetValid => ("not yet valid", 2, decoded?.Time("nbf") is { } nbf
                ? $"it is valid only from {Format(nbf)} ({Relative(nbf, now)}), beyond the {Seconds(options.ClockSkew)} clock skew: the issuing server's clock may be ahead."
                : "it is not valid yet."),
            TokenFailureReason.UnknownServerSecret => ("unknown secret", 3,
                $"its kid names server secret '{decoded?.Kid?.SecretId}', which is not in the app's ring ({string.Join(", ", options.ServerSecrets.Select(s => $"'{s.Id}'"))}): removed, as the kill switch does, or never there."),
            TokenFailureReason.InvalidKidTag => ("forged tag", 4,
                $"the kid's MAC tag does not verify for {WithArticle(purpose)} token of subject '{decoded?.Subject}' under secret '{decoded?.Kid?.SecretId}': the server never issued it, so its subject or kid was forged or altered."),
            TokenFailureReason.UnknownUser => ("unknown user", 5, $"no user '{decoded?.Subject}' in AspNetUsers: deleted, or a token of another database."),
            TokenFailureReason.SessionEnded => ("revoked", 6,
                $"its session '{decoded?.SessionId}' ended: logged out, ended from another session or by an admin, expired, or ended for refresh-token reuse."),
            TokenFailureReason.KeyInputsChanged => ("revoked", 7,
                "the user's key inputs changed since issuance: a new password or security stamp (Identity rotates it on every sensitive change), or another key input."),
            TokenFailureReason.InvalidSignature => ("tampered", 8,
                "the signature does not verify under the user's current key, though the kid is genuine: the token was altered after it was issued."),
            TokenFailureReason.TokenRevoked => ("revoked", 9,
                $"this very token (jti '{(decoded is null ? null : DecodedToken.String(decoded.Payload, "jti"))}') is on the user's denylist: it was logged out on its own."),
            TokenFailureReason.StoreUnavailable => ("store unavailable", FirstStoreStep,
                "the database could not be read, so the app would reject the token too: " + (failures.All.Count > 0 ? string.Join("; ", failures.All.Distinct(StringComparer.Ordinal)) : "it did not answer in time.")),
            _ => (reason.ToString(), 0, reason.ToString()),
        };

        var verdict = reason == TokenFailureReason.StoreUnavailable ? "error" : "rejected";
        var statuses = Statuses(index, "not reached", verdict == "error" ? "error" : "rejected");
        return new Explanation(verdict, step, reason, $"{step}: {why}", statuses);
    }

    private static StepStatus[] Statuses(int decidedAt, string after, string at = "rejected") =>
        [.. StepNames.Select((name, i) => new StepStatus(name, i < decidedAt ? "ok" : i == decidedAt ? at : after))];

    private static string MalformedDetail(DecodedToken? decoded, string problem, UserKeyedJwtOptions options)
    {
        if (decoded is null)
        {
            return problem + ".";
        }

        if (decoded.Kid is null)
        {
            return "its header has no kid.";
        }

        if (decoded.Kid.Problem is { } kid)
        {
            return $"its kid is not a UserKeyedJwt kid: {kid}.";
        }

        var issuer = DecodedToken.String(decoded.Payload, "iss");
        if (!string.Equals(issuer, options.Issuer, StringComparison.Ordinal))
        {
            return $"its issuer is '{issuer}', the app's is '{options.Issuer}'.";
        }

        if (!HasAudience(decoded, options.Audience))
        {
            return $"its audience is not the app's ('{options.Audience}').";
        }

        foreach (var claim in new[] { "sub", "jti" })
        {
            if (DecodedToken.String(decoded.Payload, claim) is not { Length: > 0 })
            {
                return $"it has no {claim} claim.";
            }
        }

        return decoded.Time("exp") is null
            ? "it has no exp claim."
            : "it is not byte for byte what the issuer writes: its header, its base64url or its JSON differ from the issuer's (docs/key-derivation.md, \"Token\").";
    }

    private static bool HasAudience(DecodedToken decoded, string? audience) =>
        decoded.Payload.TryGetProperty("aud", out var aud) && (aud.ValueKind == System.Text.Json.JsonValueKind.Array
            ? aud.EnumerateArray().Any(a => a.ValueKind == System.Text.Json.JsonValueKind.String && a.GetString() == audience)
            : aud.ValueKind == System.Text.Json.JsonValueKind.String && aud.GetString() == audience);

    private static string WrongPurpose(DecodedToken? decoded, TokenPurpose expected)
    {
        var actual = expected == TokenPurpose.Access ? TokenPurpose.Refresh : TokenPurpose.Access;
        return $"this is {WithArticle(actual)} token (typ {decoded?.Type}), checked as {WithArticle(expected)} token"
            + $"{(expected == TokenPurpose.Access ? ", as the API's bearer scheme checks it" : "")}; add --purpose {Name(actual)} to check it as what it is.";
    }

    public static string Name(TokenPurpose purpose) => purpose == TokenPurpose.Access ? "access" : "refresh";

    private static string WithArticle(TokenPurpose purpose) => purpose == TokenPurpose.Access ? "an access" : "a refresh";

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Relative(DateTimeOffset time, DateTimeOffset now)
    {
        var span = time - now;
        var magnitude = span.Duration();
        var text = magnitude.TotalSeconds < 120 ? $"{(int)magnitude.TotalSeconds} s"
            : magnitude.TotalMinutes < 120 ? $"{(int)magnitude.TotalMinutes} min"
            : magnitude.TotalHours < 48 ? $"{(int)magnitude.TotalHours} h"
            : $"{(int)magnitude.TotalDays} days";
        return span < TimeSpan.Zero ? text + " ago" : "in " + text;
    }

    private static string Seconds(TimeSpan span) => $"{(int)span.TotalSeconds} s";
}
