using System.Buffers.Text;
using System.Net;
using System.Text.Json.Nodes;

namespace UserKeyedJwt.Tool.Tests.Support;

/// <summary>
/// One sample app and real tokens from it, one for each verdict of <c>explain</c>: each obtained and, where the app can say
/// so, shown to be accepted or refused by the app itself, so the tool's verdict is compared with the app's.
/// </summary>
public sealed class SampleTokens : IAsyncLifetime
{
    public SampleHost Host { get; } = new();

    public Dictionary<string, string> Tokens { get; } = new(StringComparer.Ordinal);

    /// <summary>The options that point the tool at the sample's settings and database.</summary>
    public string[] Database => ["--project", Host.ProjectDirectory, "--environment", "Development", "--connection-string", Host.ConnectionString];

    public string[] Offline => ["--project", Host.ProjectDirectory, "--environment", "Development"];

    public async ValueTask InitializeAsync()
    {
        // A day in the past first: the clock only moves forward.
        Host.Clock.AdjustTime(TimeProvider.System.GetUtcNow().AddDays(-1));
        using var http = Host.CreateClient();
        var early = await Host.RegisterAsync(http);
        Tokens["expired"] = (await SampleHost.LoginAsync(http, early.Email, early.Password)).Access;
        Host.Clock.AdjustTime(TimeProvider.System.GetUtcNow());

        var user = await Host.RegisterAsync(http);
        var (access, refresh) = await SampleHost.LoginAsync(http, user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, await SampleHost.StatusAsync(http, HttpMethod.Get, "/me", access));
        Tokens["valid"] = access;
        Tokens["wrong purpose"] = refresh;
        Tokens["forged tag"] = WithClaim(access, "sub", early.Id);
        Tokens["tampered"] = WithClaim(access, "exp", JsonValue.Create(long.Parse(Claim(access, "exp"), System.Globalization.CultureInfo.InvariantCulture) + 3600));

        var deleted = await Host.RegisterAsync(http);
        Tokens["unknown user"] = (await SampleHost.LoginAsync(http, deleted.Email, deleted.Password)).Access;
        await Host.DeleteUserAsync(deleted.Id);

        var loggedOut = await Host.RegisterAsync(http);
        Tokens["revoked: session"] = (await SampleHost.LoginAsync(http, loggedOut.Email, loggedOut.Password)).Access;
        Assert.Equal(HttpStatusCode.NoContent, await SampleHost.StatusAsync(http, HttpMethod.Post, "/identity/logout", Tokens["revoked: session"]));

        var changed = await Host.RegisterAsync(http);
        Tokens["revoked: key inputs"] = (await SampleHost.LoginAsync(http, changed.Email, changed.Password)).Access;
        Assert.Equal(HttpStatusCode.OK, await SampleHost.StatusAsync(
            http, HttpMethod.Post, "/identity/manage/info", Tokens["revoked: key inputs"], new { oldPassword = changed.Password, newPassword = changed.Password + "x" }));

        // A token without a session, minted by the tool from the database, accepted by the app, then logged out on its own.
        var denylisted = await Host.RegisterAsync(http);
        var minted = await Ukjwt.RunAsync(["mint", denylisted.Id, .. Database]);
        Assert.Equal(0, minted.ExitCode);
        Tokens["minted"] = Tokens["revoked: denylist"] = minted.Output.Trim();
        Assert.Equal(HttpStatusCode.OK, await SampleHost.StatusAsync(http, HttpMethod.Get, "/me", Tokens["minted"]));
        Assert.Equal(HttpStatusCode.NoContent, await SampleHost.StatusAsync(http, HttpMethod.Post, "/identity/logout", Tokens["minted"]));

        foreach (var refused in new[] { "forged tag", "tampered", "revoked: session", "revoked: key inputs", "revoked: denylist", "expired", "wrong purpose" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SampleHost.StatusAsync(http, HttpMethod.Get, "/me", Tokens[refused]));
        }

        // Last, a few minutes ahead (beyond the clock skew, within every entry's lifetime, which the app's sweep would
        // otherwise delete): a token whose nbf is in the future for every other clock.
        Host.Clock.Advance(TimeSpan.FromMinutes(3));
        var late = await Host.RegisterAsync(http);
        Tokens["not yet valid"] = (await SampleHost.LoginAsync(http, late.Email, late.Password)).Access;
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    public static string Claim(string token, string name) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))![name]!.ToString();

    /// <summary>The token with one claim replaced and its signature kept: what an attacker can make without the key.</summary>
    public static string WithClaim(string token, string name, JsonNode? value)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
        payload[name] = value;
        return $"{parts[0]}.{Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()))}.{parts[2]}";
    }
}
