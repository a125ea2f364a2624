using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>/confirmEmail and /resendConfirmationEmail, ported from aspnetcore's MapIdentityApiTests, and the links of two mappings.</summary>
public sealed class IdentityApiEmailConfirmationTests
{
    public static TheoryData<string> Requirements => ["RequireConfirmedEmail", "RequireConfirmedAccount"];

    private static Action<IdentityOptions> Require(string requirement) => requirement == "RequireConfirmedEmail"
        ? static o => o.SignIn.RequireConfirmedEmail = true
        : static o => o.SignIn.RequireConfirmedAccount = true;

    [Theory]
    [MemberData(nameof(Requirements))]
    public async Task Login_ConfirmationRequired_IsNotAllowedUntilTheEmailedLinkIsFollowed(string requirement)
    {
        await using var host = await IdentityApiHost.StartAsync(identity: Require(requirement));
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        var sent = Assert.Single(host.Emails.Sent);
        Assert.Equal(EmailKind.ConfirmationLink, sent.Kind);
        Assert.Equal(email, sent.Address);
        await Asserts.ProblemAsync(client.LoginAsync(email, password), "NotAllowed");
        Assert.Single(host.Logs.Entries, e => e.EventId.Id == 2101 && e.Text.Contains("NotAllowed", StringComparison.Ordinal));

        var link = RecordingEmailSender.Link(sent);
        Assert.StartsWith("http://localhost/identity/confirmEmail?", link, StringComparison.Ordinal);
        using var confirmed = await client.Http.GetAsync(link, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal("Thank you for confirming your email.", await confirmed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var pair = await client.LoginPairAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
        Assert.Single(host.Emails.Sent);
    }

    [Fact]
    public async Task ResendConfirmationEmail_Returns200ForAnyAddress_ButSendsOnlyToAnAccount_AndTheResentLinkWorks()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.SignIn.RequireConfirmedEmail = true);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        Assert.Single(host.Emails.Sent);
        await Asserts.ProblemAsync(client.LoginAsync(email, password), "NotAllowed");

        Asserts.OkAndEmpty(await client.PostAsync("/identity/resendConfirmationEmail", new { email = "wrong" }));
        Asserts.OkAndEmpty(await client.PostAsync("/identity/resendConfirmationEmail", new { email = $"{Guid.NewGuid():N}@example.com" }));
        Asserts.OkAndEmpty(await client.PostAsync("/identity/resendConfirmationEmail", new { email }));

        Assert.Equal(2, host.Emails.Sent.Count);
        var resent = host.Emails.Sent[1];
        Assert.Equal(EmailKind.ConfirmationLink, resent.Kind);
        Assert.Equal(email, resent.Address);
        await Asserts.OkAsync(client.GetAsync(RecordingEmailSender.Link(resent)));
        await Asserts.OkAsync(client.LoginAsync(email, password));
    }

    [Fact]
    public async Task ConfirmEmail_WrongCodeOrUnknownUser_Returns401WithEmptyBody_AndConfirmsNothing()
    {
        await using var host = await IdentityApiHost.StartAsync(identity: static o => o.SignIn.RequireConfirmedEmail = true);
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        var (other, _) = await client.RegisterAsync();
        var link = new Uri(RecordingEmailSender.Link(host.Emails.Sent[0]));
        var query = QueryHelpers.ParseQuery(link.Query);
        var userId = query["userId"].ToString();
        var code = query["code"].ToString();
        var otherLink = QueryHelpers.ParseQuery(new Uri(RecordingEmailSender.Link(host.Emails.Sent[1])).Query);
        host.Secrets.Enqueue(code);
        host.Secrets.Enqueue(otherLink["code"].ToString());

        string Confirm(string id, string c) => QueryHelpers.AddQueryString("/identity/confirmEmail", new Dictionary<string, string?> { ["userId"] = id, ["code"] = c });

        Asserts.UnauthorizedAndEmpty(await client.GetAsync(Confirm(userId, WebEncoders.Base64UrlEncode("wrong"u8.ToArray()))));
        Asserts.UnauthorizedAndEmpty(await client.GetAsync(Confirm(userId, "not base64url!")));
        Asserts.UnauthorizedAndEmpty(await client.GetAsync(Confirm(userId, otherLink["code"].ToString())));
        Asserts.UnauthorizedAndEmpty(await client.GetAsync(Confirm(Guid.NewGuid().ToString(), code)));
        Asserts.UnauthorizedAndEmpty(await client.GetAsync(Confirm(otherLink["userId"].ToString(), code)));
        Assert.Equal(HttpStatusCode.BadRequest, await client.StatusAsync(HttpMethod.Get, $"/identity/confirmEmail?userId={userId}"));

        Assert.False(await host.WithUserAsync(email, (users, user) => users.IsEmailConfirmedAsync(user)));
        Assert.False(await host.WithUserAsync(other, (users, user) => users.IsEmailConfirmedAsync(user)));
        await Asserts.ProblemAsync(client.LoginAsync(email, password), "NotAllowed");
        await Asserts.OkAsync(client.GetAsync(link.PathAndQuery));
        await Asserts.OkAsync(client.LoginAsync(email, password));
    }

    [Fact]
    public async Task MapGroup_MappedTwice_EachGroupsConfirmationLinkPointsToItsOwnGroup()
    {
        await using var host = await IdentityApiHost.StartAsync(
            identity: static o => o.SignIn.RequireConfirmedAccount = true,
            map: static app => app.MapGroup("/identity2").MapUserKeyedIdentityApi<IdentityUser>());
        using var client = host.Client();

        foreach (var prefix in new[] { "/identity", "/identity2" })
        {
            var (email, password) = client.NewCredentials();
            Asserts.OkAndEmpty(await client.PostAsync($"{prefix}/register", new { email, password }));
            var sent = host.Emails.Sent[^1];
            Assert.Equal(email, sent.Address);
            var link = RecordingEmailSender.Link(sent);
            Assert.StartsWith($"http://localhost{prefix}/confirmEmail?", link, StringComparison.Ordinal);

            await Asserts.ProblemAsync(client.LoginAsync(email, password, prefix: prefix), "NotAllowed");
            await Asserts.OkAsync(client.GetAsync(link));
            var pair = await client.LoginPairAsync(email, password, prefix: prefix);
            Assert.Equal(HttpStatusCode.OK, await client.HelloStatusAsync(pair.Access));
        }
    }
}
