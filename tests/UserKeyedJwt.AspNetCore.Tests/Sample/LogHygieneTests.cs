using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using UserKeyedJwt.AspNetCore.Tests.Support;
using UserKeyedJwt.Sample.Data;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>No log line, at any level, carries a token, the server secret, a password, a password hash or a security stamp.</summary>
public sealed class LogHygieneTests
{
    [Fact]
    public async Task Logs_AfterEveryKindOfRequest_HoldNoTokenSecretPasswordHashOrStamp()
    {
        await using var app = SampleApp.Create(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:UserKeyedJwt"] = "Trace" });
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var first = await api.LoginAsync(user);
        var secrets = new List<string> { app.ServerSecret, user.Password, first, SampleApp.AdminPassword };
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(first));
        secrets.AddRange(await StoredSecretsAsync(app, user.Id));
        var newPassword = Api.NewPassword();
        secrets.Add(newPassword);
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/manage/info", first, new { oldPassword = user.Password, newPassword }));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(first));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(first[..^2]));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(HttpMethod.Post, $"{Api.Identity}/login", body: new { email = user.Email, password = user.Password }));
        var second = await api.LoginAsync(user.Email, newPassword);
        secrets.Add(second);
        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/revoke", await api.LoginAdminAsync()));
        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(second));
        secrets.AddRange(await StoredSecretsAsync(app, user.Id));

        Assert.NotEmpty(app.Logs.Entries);
        foreach (var secret in secrets.Where(s => s.Length >= 8).Distinct())
        {
            var leak = app.Logs.Entries.FirstOrDefault(e => e.Text.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"{leak?.Category} [{leak?.EventId}] leaks a secret value.");
        }
    }

    private static async Task<string[]> StoredSecretsAsync(SampleApp app, string userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var user = (await scope.ServiceProvider.GetRequiredService<UserManager<SampleUser>>().FindByIdAsync(userId))!;
        return [user.PasswordHash!, user.SecurityStamp!];
    }
}
