using System.Net;
using Microsoft.Data.Sqlite;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sample;

/// <summary>
/// A user store that fails makes the request unauthenticated: 401 by default, 503 when configured, never 200. The failure is
/// real: the users table of the SQLite file is renamed away under the running app, so Identity's EF store throws.
/// </summary>
public sealed class StoreFailureTests
{
    [Fact]
    public async Task GetMe_UserStoreThrows_Returns401WithInvalidTokenChallenge()
    {
        await using var app = SampleApp.Create(environment: "Production");
        using var api = app.Api();
        var token = await api.LoginAsync(await api.NewUserAsync());

        await using (await TakeUsersTableOfflineAsync(app))
        {
            using var response = await api.SendAsync(HttpMethod.Get, "/me", token);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        }

        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 1004);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task GetMe_UserStoreThrowsWith503Configured_Returns503()
    {
        await using var app = SampleApp.Create(new Dictionary<string, string?> { ["UserKeyedJwtBearer:StoreUnavailableStatusCode"] = "503" });
        using var api = app.Api();
        var token = await api.LoginAsync(await api.NewUserAsync());

        await using (await TakeUsersTableOfflineAsync(app))
        {
            using var response = await api.SendAsync(HttpMethod.Get, "/me", token);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Empty(response.Headers.WwwAuthenticate);
        }

        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 2001 && e.Text.Contains("503", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task GetMe_503ConfiguredButTokenRevoked_StillReturns401()
    {
        await using var app = SampleApp.Create(new Dictionary<string, string?> { ["UserKeyedJwtBearer:StoreUnavailableStatusCode"] = "503" });
        using var api = app.Api();
        var user = await api.NewUserAsync();
        var token = await api.LoginAsync(user);
        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(HttpMethod.Post, $"/admin/users/{user.Id}/revoke", await api.LoginAdminAsync()));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(token));
    }

    [Fact]
    public async Task Start_StoreUnavailableStatusCodeNeither401Nor503_FailsNamingTheSetting()
    {
        await using var app = SampleApp.Create(new Dictionary<string, string?> { ["UserKeyedJwtBearer:StoreUnavailableStatusCode"] = "500" });

        var error = Assert.ThrowsAny<Exception>(() => app.Api());

        Assert.Contains("UserKeyedJwtBearer:StoreUnavailableStatusCode", error.ToString(), StringComparison.Ordinal);
    }

    internal static async Task<IAsyncDisposable> TakeUsersTableOfflineAsync(SampleApp app)
    {
        await ExecuteAsync(app, "ALTER TABLE \"AspNetUsers\" RENAME TO \"AspNetUsers_offline\"");
        return new Restore(app);
    }

    private static async Task ExecuteAsync(SampleApp app, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private sealed class Restore(SampleApp app) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await ExecuteAsync(app, "ALTER TABLE \"AspNetUsers_offline\" RENAME TO \"AspNetUsers\"");
    }
}
