using Microsoft.Playwright;
using UserKeyedJwt.AspNetCore.Tests.Support;
using UserKeyedJwt.ScaleOut.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Browser;

/// <summary>
/// The sample's demo page in real Chromium (Debian's, through Playwright), against the sample on Kestrel: two browsers of
/// one user, one ends the other's session, and the other's next call gets 401 and its tokens are dropped.
/// </summary>
public sealed class DemoPageTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly SampleApp _app = SampleApp.Create();
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _baseUrl = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            Requirement.Missing($"Chromium is not installed at {Chromium}: apt-get install -y chromium.");
        }

        _app.UseKestrel(0);
        _app.StartServer();
        _baseUrl = _app.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    [Fact]
    public async Task EndingASessionFromAnotherBrowser_ItsNextCallGets401_AndThePageDropsItsTokens()
    {
        var email = Api.NewEmail("browser");
        var password = Api.NewPassword();
        await using var phone = await _browser!.NewContextAsync(new() { UserAgent = "Phone browser" });
        await using var laptop = await _browser.NewContextAsync(new() { UserAgent = "Laptop browser" });
        var phonePage = await OpenAsync(phone);
        var laptopPage = await OpenAsync(laptop);

        await phonePage.FillAsync("#email", email);
        await phonePage.FillAsync("#password", password);
        await phonePage.ClickAsync("#register");
        await Assertions.Expect(phonePage.Locator("#output")).ToContainTextAsync("200");
        await LogInAsync(phonePage, email, password);
        await LogInAsync(laptopPage, email, password);

        // The page shows the token's kid in its three parts, and /me answers for the signed-in user.
        await Assertions.Expect(phonePage.Locator("#kid-fingerprint")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Za-z0-9_-]{11}$"));
        await phonePage.ClickAsync("#me");
        await Assertions.Expect(phonePage.Locator("#output")).ToContainTextAsync("GET /me: 200");
        var phoneSession = await phonePage.Locator("#session-id").TextContentAsync();

        // Refresh rotates the pair within the same session, and the new access token works.
        var before = await phonePage.EvaluateAsync<string>("() => tokens.accessToken");
        await phonePage.ClickAsync("#refresh");
        await Assertions.Expect(phonePage.Locator("#output")).ToContainTextAsync("POST /identity/refresh: 200");
        Assert.NotEqual(before, await phonePage.EvaluateAsync<string>("() => tokens.accessToken"));
        await Assertions.Expect(phonePage.Locator("#session-id")).ToHaveTextAsync(phoneSession!);
        var refreshToken = await phonePage.EvaluateAsync<string>("() => tokens.refreshToken");
        Assert.DoesNotContain(refreshToken, await phonePage.ContentAsync(), StringComparison.Ordinal);
        await phonePage.ClickAsync("#me");
        await Assertions.Expect(phonePage.Locator("#output")).ToContainTextAsync("GET /me: 200");

        // The laptop lists the user's sessions and ends the phone's.
        await laptopPage.ClickAsync("#sessions");
        var phoneItem = laptopPage.Locator($"#session-list li[data-session-id='{phoneSession}']");
        await Assertions.Expect(phoneItem).ToContainTextAsync("Phone browser");
        await phoneItem.Locator("button.end-session").ClickAsync();
        await Assertions.Expect(phoneItem).ToHaveCountAsync(0);

        // The phone's next call is refused, and the page forgets its tokens: it shows the sign-in form again.
        await phonePage.ClickAsync("#me");
        await Assertions.Expect(phonePage.Locator("#output")).ToContainTextAsync("401");
        await Assertions.Expect(phonePage.Locator("#signed-out")).ToBeVisibleAsync();
        await Assertions.Expect(phonePage.Locator("#signed-in")).ToBeHiddenAsync();
        Assert.Equal("null", await phonePage.EvaluateAsync<string>("() => JSON.stringify(tokens)"));

        // The laptop's own session is untouched, and its logout ends it and drops its tokens too.
        await laptopPage.ClickAsync("#me");
        await Assertions.Expect(laptopPage.Locator("#output")).ToContainTextAsync("GET /me: 200");
        await laptopPage.ClickAsync("#logout");
        await Assertions.Expect(laptopPage.Locator("#signed-out")).ToBeVisibleAsync();

        // Nothing was ever kept in cookies or storage.
        Assert.DoesNotContain("eyJ", await laptop.StorageStateAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", await phone.StorageStateAsync(), StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<IPage> OpenAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(_baseUrl + "/");
        return page;
    }

    private static async Task LogInAsync(IPage page, string email, string password)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#login");
        await Assertions.Expect(page.Locator("#signed-in")).ToBeVisibleAsync();
    }
}
