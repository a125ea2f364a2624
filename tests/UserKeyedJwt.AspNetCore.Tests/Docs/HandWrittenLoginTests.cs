using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;
using AppUser = Microsoft.AspNetCore.Identity.IdentityUser;

namespace UserKeyedJwt.AspNetCore.Tests.Docs;

/// <summary>
/// The login and refresh endpoints that sessions.md and aspnetcore.md show for an app with its own sign-in: the code between
/// the markers below is the docs' block, character for character (the last test checks it), hosted in a minimal app, and
/// answers the JSON of MapIdentityApi's AccessTokenResponse.
/// </summary>
public sealed class HandWrittenLoginTests
{
    private const string Begin = "// docs: hand-written login: begin";
    private const string End = "// docs: hand-written login: end";
    private const string Indent = "        ";

    private static readonly string[] PairProperties = ["tokenType", "accessToken", "expiresIn", "refreshToken"];

    [Fact]
    public async Task HandWrittenLogin_AsTheDocsShowIt_AnswersTheFlatPairOfMapIdentityApi_AndRefreshes()
    {
        await using var host = await IdentityApiHost.StartAsync(map: MapDocumentedEndpoints);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        using var login = await client.PostAsync("/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var pair = await IdentityApiClient.ReadJsonAsync(login);
        AssertFlatPair(pair);
        var identityApiPair = await client.JsonAsync(HttpMethod.Post, "/identity/login", body: new { email, password });
        Assert.Equal(Shape(identityApiPair), Shape(pair));

        // The pair is a session's: the access token works, and the refresh token gets the next pair once.
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.GetProperty("accessToken").GetString()!));
        var refreshToken = pair.GetProperty("refreshToken").GetString();
        using var refresh = await client.PostAsync("/refresh", new { refreshToken });
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var next = await IdentityApiClient.ReadJsonAsync(refresh);
        AssertFlatPair(next);
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(next.GetProperty("accessToken").GetString()!));
        Assert.Equal(HttpStatusCode.Unauthorized, await client.StatusAsync(HttpMethod.Post, "/refresh", body: new { refreshToken }));

        Assert.Equal(HttpStatusCode.Unauthorized, await client.StatusAsync(HttpMethod.Post, "/login", body: new { email, password = password + "x" }));
    }

    [Fact]
    public async Task SignInAsync_ReturnedAsItIs_SerialisesAsTheSameFlatPair_NeverTheSessionOrItsSecret()
    {
        await using var host = await IdentityApiHost.StartAsync(map: app =>
        {
            MapDocumentedEndpoints(app);
            app.MapPost("/login-as-is", async (LoginRequest login, UserManager<AppUser> users, IUserSessionService<AppUser> sessions) =>
                Results.Ok(await sessions.SignInAsync((await users.FindByEmailAsync(login.Email))!)));
        });
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        using var response = await client.PostAsync("/login-as-is", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        AssertFlatPair(JsonDocument.Parse(body).RootElement);
        Assert.NotEmpty(host.Sessions.Seen);
        Assert.All(host.Sessions.Seen, session => Assert.DoesNotContain(session.Secret, body, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sessions.md")]
    [InlineData("aspnetcore.md")]
    public void HandWrittenLogin_InTheDocs_IsTheCodeTheTestsRun(string doc)
    {
        var markdown = Normalize(File.ReadAllText(Path.Combine(DocsWalkthroughTests.RepositoryRoot(), "docs", doc)));
        var source = Normalize(File.ReadAllText(Path.Combine(DocsWalkthroughTests.RepositoryRoot(), "tests", "UserKeyedJwt.AspNetCore.Tests", "Docs", "HandWrittenLoginTests.cs")));
        var from = source.IndexOf(Indent + Begin + "\n", StringComparison.Ordinal) + Indent.Length + Begin.Length + 1;
        var to = source.IndexOf(Indent + End + "\n", from, StringComparison.Ordinal);
        var code = string.Concat(source[from..to].Split('\n').SkipLast(1).Select(line => Dedent(line) + "\n"));

        Assert.Contains("```csharp\n" + code + "```\n", markdown, StringComparison.Ordinal);
    }

    private static void MapDocumentedEndpoints(WebApplication app)
    {
        // docs: hand-written login: begin
        app.MapPost("/login", async (LoginRequest login, HttpContext http, UserManager<AppUser> users,
            SignInManager<AppUser> signIn, IUserSessionService<AppUser> sessions) =>
        {
            // Identity's checks (confirmed account, lockout, password); CheckPasswordSignInAsync sets no cookie.
            var user = await users.FindByEmailAsync(login.Email);
            if (user is null || !(await signIn.CheckPasswordSignInAsync(user, login.Password, lockoutOnFailure: true)).Succeeded)
            {
                return Results.Unauthorized();
            }

            var tokens = await sessions.SignInAsync(user, http.Request.Headers.UserAgent.ToString(), http.RequestAborted);
            return Results.Ok(tokens.ToAccessTokenResponse());
        });

        app.MapPost("/refresh", async (RefreshRequest request, HttpContext http, IUserSessionService<AppUser> sessions) =>
            await sessions.RefreshAsync(request.RefreshToken, http.RequestAborted) is { Tokens: { } tokens }
                ? Results.Ok(tokens.ToAccessTokenResponse())
                : Results.Unauthorized());
        // docs: hand-written login: end
    }

    /// <summary>Exactly MapIdentityApi's four members, in its order, with the session's values: nothing nested, no number for an enum.</summary>
    private static void AssertFlatPair(JsonElement pair)
    {
        Assert.Equal(PairProperties, pair.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Bearer", pair.GetProperty("tokenType").GetString());
        Assert.Equal(600, pair.GetProperty("expiresIn").GetInt64());
        Assert.Matches("^eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", pair.GetProperty("accessToken").GetString());
        Assert.Matches("^eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", pair.GetProperty("refreshToken").GetString());
        Assert.NotEqual(pair.GetProperty("accessToken").GetString(), pair.GetProperty("refreshToken").GetString());
    }

    private static string Shape(JsonElement pair) => string.Join(',', pair.EnumerateObject().Select(p => $"{p.Name}:{p.Value.ValueKind}"));

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string Dedent(string line) =>
        line.Length == 0 ? line
        : line.StartsWith(Indent, StringComparison.Ordinal) ? line[Indent.Length..]
        : throw new InvalidOperationException($"Hand-written login line not indented as the block: '{line}'.");
}
