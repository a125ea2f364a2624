using System.Net;
using UserKeyedJwt.AspNetCore.Tests.IdentityApi.Support;

namespace UserKeyedJwt.AspNetCore.Tests.IdentityApi;

/// <summary>/register: MapIdentityApi's answers (ported from aspnetcore's MapIdentityApiTests), and the password length bound.</summary>
public sealed class IdentityApiRegisterTests
{
    [Fact]
    public async Task Register_NewEmail_Returns200WithEmptyBody()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = client.NewCredentials();

        using var response = await client.PostAsync("/identity/register", new { email, password });

        Asserts.OkAndEmpty(response);
        Assert.True(await host.WithUserAsync(email, async (users, user) => await users.CheckPasswordAsync(user, password)));
    }

    [Fact]
    public async Task Register_NoEmail_Returns400WithEmptyBody()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();

        using var response = await client.PostAsync("/identity/register", new { password = client.NewCredentials().Password });

        Asserts.BadRequestAndEmpty(response);
    }

    [Fact]
    public async Task Register_InvalidEmail_ReturnsInvalidEmail()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/register", new { email = "invalid", password = client.NewCredentials().Password }), "InvalidEmail");
    }

    [Fact]
    public async Task Register_DuplicateEmail_ReturnsDuplicateUserName()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var (email, password) = await client.RegisterAsync();

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/register", new { email, password }), "DuplicateUserName");
    }

    [Fact]
    public async Task Register_WeakPassword_ReturnsIdentitysPasswordCodes()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();

        using var response = await client.PostAsync("/identity/register", new { email = client.NewCredentials().Email, password = "short" });

        var problem = await Asserts.ProblemAsync(response, detail: null, title: "One or more validation errors occurred.", status: HttpStatusCode.BadRequest);
        Assert.Contains("PasswordTooShort", problem.Errors.Keys);
        Assert.Contains("PasswordRequiresDigit", problem.Errors.Keys);
    }

    [Fact]
    public async Task Register_PasswordOfMaxLength_Succeeds_AndOneLonger_IsPasswordTooLongWithoutHashing()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var longest = Password(UserKeyedIdentityApiDefaults.MaxPasswordLength);

        using (var accepted = await client.PostAsync("/identity/register", new { email = client.NewCredentials().Email, password = longest }))
        {
            Asserts.OkAndEmpty(accepted);
        }

        host.Hashes.Reset();
        await Asserts.ValidationProblemAsync(
            client.PostAsync("/identity/register", new { email = client.NewCredentials().Email, password = Password(UserKeyedIdentityApiDefaults.MaxPasswordLength + 1) }),
            UserKeyedIdentityApiDefaults.PasswordTooLongErrorCode);
        Assert.Equal(0, host.Hashes.Total);
        Assert.Equal(256, UserKeyedIdentityApiDefaults.MaxPasswordLength);
    }

    [Fact]
    public async Task Register_OneMegabytePassword_IsRefusedWithoutHashing_AndCreatesNoUser()
    {
        await using var host = await IdentityApiHost.StartAsync();
        using var client = host.Client();
        var email = client.NewCredentials().Email;
        host.Hashes.Reset();

        await Asserts.ValidationProblemAsync(client.PostAsync("/identity/register", new { email, password = Password(1024 * 1024) }), UserKeyedIdentityApiDefaults.PasswordTooLongErrorCode);

        Assert.Equal(0, host.Hashes.Total);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.WithUserAsync(email, (_, user) => Task.FromResult(user)));
    }

    /// <summary>A password of exactly <paramref name="length"/> characters that meets Identity's default rules.</summary>
    internal static string Password(int length) => "aA1!" + new string('x', length - 4);
}
