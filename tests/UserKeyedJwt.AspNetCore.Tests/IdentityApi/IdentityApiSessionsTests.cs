using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>What MapIdentityApi lacks: /logout, /logoutOthers, /logoutAll, GET /manage/sessions and DELETE /manage/sessions/{id}.</summary>
public sealed class IdentityApiSessionsTests
{
    [Fact]
    public async Task Logout_EndsOnlyTheCallersSession_BothItsTokens()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await RegisterAsync(host, client);
        var leaving = await account.LoginAsync();
        var staying = await account.LoginAsync();

        using (var response = await client.PostAsync("/identity/logout", null, leaving.Access))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }

        await account.AssertEndedAsync(leaving);
        await account.AssertWorksAsync(staying);
        await Asserts.OkAsync(client.RefreshAsync(staying.Refresh));
    }

    [Fact]
    public async Task Logout_AfterARefresh_EndsTheSession_TheRefreshedPairIncluded()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await RegisterAsync(host, client);
        var first = await account.LoginAsync();
        using var refreshed = await client.RefreshAsync(first.Refresh);
        var second = await TokenPair.ReadAsync(refreshed);

        Assert.Equal(HttpStatusCode.NoContent, await client.StatusAsync(HttpMethod.Post, "/identity/logout", second.Access));

        await account.AssertEndedAsync(second);
        Assert.Equal(HttpStatusCode.Unauthorized, await client.HelloStatusAsync(first.Access));
    }

    [Fact]
    public async Task LogoutOthers_EndsEveryOtherSessionOfTheUser_AndKeepsTheCallersAndOtherUsers()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await RegisterAsync(host, client);
        var stranger = await RegisterAsync(host, client);
        var caller = await account.LoginAsync();
        var others = new[] { await account.LoginAsync(), await account.LoginAsync() };
        var strangers = await stranger.LoginAsync();

        Assert.Equal(HttpStatusCode.NoContent, await client.StatusAsync(HttpMethod.Post, "/identity/logoutOthers", caller.Access));

        foreach (var other in others)
        {
            await account.AssertEndedAsync(other);
        }

        await account.AssertWorksAsync(caller);
        await Asserts.OkAsync(client.RefreshAsync(caller.Refresh));
        await stranger.AssertWorksAsync(strangers);
    }

    [Fact]
    public async Task LogoutAll_EndsEverySessionOfTheUser_TheCallersIncluded()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await RegisterAsync(host, client);
        var stranger = await RegisterAsync(host, client);
        var pairs = new[] { await account.LoginAsync(), await account.LoginAsync() };
        var strangers = await stranger.LoginAsync();

        Assert.Equal(HttpStatusCode.NoContent, await client.StatusAsync(HttpMethod.Post, "/identity/logoutAll", pairs[0].Access));

        foreach (var pair in pairs)
        {
            await account.AssertEndedAsync(pair);
        }

        await stranger.AssertWorksAsync(strangers);
        await account.AssertWorksAsync(await account.LoginAsync());
    }

    [Fact]
    public async Task Sessions_ListsTheCallersSessions_WithTheirDevices_AndExactlyOneCurrent()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var setup = host.Client();
        var account = await RegisterAsync(host, setup);
        using var phone = host.Client("Phone/1.0");
        using var laptop = host.Client("Laptop/2.0");
        using var strangersClient = host.Client("Stranger/3.0");
        var phonePair = await phone.LoginPairAsync(account.Email, account.Password);
        var laptopPair = await laptop.LoginPairAsync(account.Email, account.Password);
        var stranger = await RegisterAsync(host, strangersClient);
        await strangersClient.LoginPairAsync(stranger.Email, stranger.Password);

        var list = await laptop.JsonAsync(HttpMethod.Get, "/identity/manage/sessions", laptopPair.Access);

        var sessions = list.EnumerateArray().ToArray();
        Assert.Equal(2, sessions.Length);
        foreach (var session in sessions)
        {
            Assert.Equal(new[] { "createdAt", "current", "device", "id", "lastUsedAt" }, session.EnumerateObject().Select(static p => p.Name).Order(StringComparer.Ordinal));
            Assert.False(string.IsNullOrEmpty(session.GetProperty("id").GetString()));
            Assert.True(session.GetProperty("lastUsedAt").GetDateTimeOffset() >= session.GetProperty("createdAt").GetDateTimeOffset());
        }

        Assert.Equal(new[] { "Laptop/2.0", "Phone/1.0" }, sessions.Select(static s => s.GetProperty("device").GetString()).Order(StringComparer.Ordinal));
        var current = Assert.Single(sessions, static s => s.GetProperty("current").GetBoolean());
        Assert.Equal("Laptop/2.0", current.GetProperty("device").GetString());
        Assert.NotEqual(sessions[0].GetProperty("id").GetString(), sessions[1].GetProperty("id").GetString());

        // The same session after a refresh: the same id, still current, used later.
        using var refreshed = await phone.RefreshAsync(phonePair.Refresh);
        var phoneNext = await TokenPair.ReadAsync(refreshed);
        var fromPhone = (await phone.JsonAsync(HttpMethod.Get, "/identity/manage/sessions", phoneNext.Access)).EnumerateArray().ToArray();
        var phoneSession = Assert.Single(fromPhone, static s => s.GetProperty("current").GetBoolean());
        Assert.Equal("Phone/1.0", phoneSession.GetProperty("device").GetString());
        Assert.Equal(IdOf(sessions, "Phone/1.0"), phoneSession.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Sessions_Delete_EndsThatSession_With204_And404ForAnUnknownOrAnotherUsersId()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await RegisterAsync(host, client);
        var stranger = await RegisterAsync(host, client);
        var caller = await account.LoginAsync();
        var lost = await account.LoginAsync();
        var strangers = await stranger.LoginAsync();
        var sessions = (await client.JsonAsync(HttpMethod.Get, "/identity/manage/sessions", caller.Access)).EnumerateArray().ToArray();
        var lostId = Assert.Single(sessions, static s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;
        var strangersId = Assert.Single((await client.JsonAsync(HttpMethod.Get, "/identity/manage/sessions", strangers.Access)).EnumerateArray()).GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.NotFound, await client.StatusAsync(HttpMethod.Delete, $"/identity/manage/sessions/{strangersId}", caller.Access));
        Assert.Equal(HttpStatusCode.NotFound, await client.StatusAsync(HttpMethod.Delete, "/identity/manage/sessions/no-such-session", caller.Access));
        await stranger.AssertWorksAsync(strangers);
        await account.AssertWorksAsync(lost);

        Assert.Equal(HttpStatusCode.NoContent, await client.StatusAsync(HttpMethod.Delete, $"/identity/manage/sessions/{Uri.EscapeDataString(lostId)}", caller.Access));

        await account.AssertEndedAsync(lost);
        await account.AssertWorksAsync(caller);
        Assert.Equal(HttpStatusCode.NotFound, await client.StatusAsync(HttpMethod.Delete, $"/identity/manage/sessions/{Uri.EscapeDataString(lostId)}", caller.Access));
        var left = (await client.JsonAsync(HttpMethod.Get, "/identity/manage/sessions", caller.Access)).EnumerateArray().ToArray();
        Assert.True(Assert.Single(left).GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task Sessions_Delete_TheCallersOwnSession_EndsIt()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var account = await RegisterAsync(host, client);
        var pair = await account.LoginAsync();
        var id = Assert.Single((await client.JsonAsync(HttpMethod.Get, "/identity/manage/sessions", pair.Access)).EnumerateArray()).GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, await client.StatusAsync(HttpMethod.Delete, $"/identity/manage/sessions/{Uri.EscapeDataString(id)}", pair.Access));

        await account.AssertEndedAsync(pair);
    }

    [Fact]
    public async Task Sessions_AndTwoFactor_FollowTheAppsJsonOptions_AsTheTokenResponseDoes()
    {
        await using var host = await IdentityApiHost.StartAsync(services: static s => s.ConfigureHttpJsonOptions(static o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower));
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();
        using var login = await client.LoginAsync(email, password);
        var access = (await IdentityApiClient.ReadJsonAsync(login)).GetProperty("access_token").GetString()!;

        var session = Assert.Single((await client.JsonAsync(HttpMethod.Get, "/identity/manage/sessions", access)).EnumerateArray());
        Assert.Equal(new[] { "created_at", "current", "device", "id", "last_used_at" }, session.EnumerateObject().Select(static p => p.Name).Order(StringComparer.Ordinal));

        var twoFactor = await client.JsonAsync(HttpMethod.Post, "/identity/manage/2fa", access, new { });
        host.Secrets.Enqueue(twoFactor.GetProperty("shared_key").GetString()!);
        Assert.False(twoFactor.GetProperty("is_two_factor_enabled").GetBoolean());
        Assert.Equal(0, twoFactor.GetProperty("recovery_codes_left").GetInt32());

        var info = await client.JsonAsync(HttpMethod.Get, "/identity/manage/info", access);
        Assert.Equal(email, info.GetProperty("email").GetString());
        Assert.False(info.GetProperty("is_email_confirmed").GetBoolean());
    }

    private static async Task<Account> RegisterAsync(IdentityApiHost host, IdentityApiClient client)
    {
        var (email, password) = await client.RegisterAsync();
        return new Account(host, client, email, password);
    }

    private static string? IdOf(JsonElement[] sessions, string device) =>
        sessions.Single(s => s.GetProperty("device").GetString() == device).GetProperty("id").GetString();
}
