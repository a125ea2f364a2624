using System.CommandLine;
using System.Security.Claims;
using UserKeyedJwt.Tool.Configuration;
using UserKeyedJwt.Tool.Explaining;
using UserKeyedJwt.Tool.Inspecting;
using UserKeyedJwt.Tool.Minting;

namespace UserKeyedJwt.Tool;

/// <summary>The commands of <c>ukjwt</c>: <c>inspect</c>, <c>explain</c> and <c>mint</c> (docs/ukjwt.md).</summary>
internal static class Cli
{
    /// <summary>Runs the tool; <see cref="Program"/> passes the console, tests pass captured writers.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = Build(output, error);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync($"ukjwt: {problem.Message}");
            }

            await error.WriteLineAsync("Try 'ukjwt --help'.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (UsageException ex)
        {
            await error.WriteLineAsync($"ukjwt: {ex.Message}");
            return ExitCodes.Usage;
        }
    }

    private static RootCommand Build(TextWriter output, TextWriter error)
    {
        var token = new Argument<string>("token") { Description = "The token (a compact JWS), or - to read it from standard input." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };

        var inspect = new Command("inspect", "Print a token's header, claims and kid parts. Needs no secret and verifies nothing.") { token, json };
        inspect.SetAction(async (parse, ct) =>
            Inspector.Run(await ReadTokenAsync(parse.GetRequiredValue(token)), parse.GetValue(json), output, error, TimeProvider.System));

        var settings = new SettingsOptions();
        var purpose = new Option<TokenPurpose>("--purpose")
        {
            Description = "What the token is checked as: Access (the API's bearer scheme) or Refresh (the refresh endpoint).",
            DefaultValueFactory = _ => TokenPurpose.Access,
        };
        var explain = new Command("explain", "Say which validation step rejects a token under the app's settings and, with a connection string, its database; or that it is valid.")
        {
            token, purpose, json,
        };
        settings.AddTo(explain);
        explain.SetAction(async (parse, ct) =>
        {
            var tool = settings.Read(parse);
            var app = AppSettings.Load(tool);
            var explanation = await Explainer.ExplainAsync(
                await ReadTokenAsync(parse.GetRequiredValue(token)), parse.GetValue(purpose), app,
                app.ConnectionString(tool.ConnectionString, tool.ConnectionName, tool.Provider), tool.Provider, ct);
            ExplanationWriter.Write(explanation, parse.GetValue(json), output);
            return explanation.ExitCode;
        });

        var userId = new Argument<string>("user-id") { Description = "The user's id: the token's sub." };
        var stamp = new Option<string?>("--security-stamp") { Description = "The user's security stamp, when the database is not given." };
        var hash = new Option<string?>("--password-hash") { Description = "The user's password hash, when the database is not given (none: a user without a password)." };
        var lifetime = new Option<TimeSpan?>("--lifetime") { Description = "The token's lifetime, such as 00:05:00; the app's AccessTokenLifetime when not given." };
        var claims = new Option<string[]>("--claim") { Description = "An application claim, type=value; repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var mint = new Command("mint", "Issue an access token (no session) for a user, signed with a DEVELOPMENT secret; for tests and development only.")
        {
            userId, stamp, hash, lifetime, claims,
        };
        settings.AddTo(mint);
        mint.SetAction(async (parse, ct) =>
        {
            var tool = settings.Read(parse);
            var app = AppSettings.Load(tool);
            var connection = app.ConnectionString(tool.ConnectionString, tool.ConnectionName, tool.Provider);
            if (connection is null && parse.GetValue(stamp) is null)
            {
                throw new UsageException("mint needs the user's key inputs: give --connection-string or --connection-name to read them, or --security-stamp (and --password-hash).");
            }

            var (issued, secretId, source) = await Minter.MintAsync(
                parse.GetRequiredValue(userId), parse.GetValue(stamp), parse.GetValue(hash), parse.GetValue(lifetime), ParseClaims(parse.GetValue(claims)),
                app, connection, tool.Provider, ct);

            // The token alone on standard output, so that TOKEN=$(ukjwt mint ...) works; what it is goes to standard error.
            await output.WriteLineAsync(issued.Token);
            await error.WriteLineAsync($"minted an access token for user '{issued.UserId}', valid until {Explainer.Format(issued.ExpiresAt)}, under development secret '{secretId}' (from {Minter.Describe(source)}).");
            return ExitCodes.Ok;
        });

        return new RootCommand("ukjwt: inspect, explain and (in development) mint UserKeyedJwt tokens. Exit codes: 0 valid or done, 1 rejected, 2 usage or configuration error.")
        {
            inspect, explain, mint,
        };
    }

    private static List<Claim> ParseClaims(string[]? claims)
    {
        var parsed = new List<Claim>();
        foreach (var claim in claims ?? [])
        {
            var at = claim.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new UsageException($"--claim '{claim}': write it as type=value.");
            }

            parsed.Add(new Claim(claim[..at], claim[(at + 1)..]));
        }

        return parsed;
    }

    private static async Task<string> ReadTokenAsync(string token) =>
        token == "-" ? (await Console.In.ReadToEndAsync()).Trim() : token;
}
