using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using UserKeyedJwt.EntityFrameworkCore.Tests.Support;

namespace UserKeyedJwt.EntityFrameworkCore.Tests;

/// <summary>The core's sessions on the database stores, over a real SQLite file: what the rows hold after each step.</summary>
public sealed class UserKeyedSessionsEndToEndTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(Sessions.Start);
    private readonly InMemoryUserKeyInputsSource _users = new();
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    private UserKeyedSessions UserSessions => Database.Services.GetRequiredService<UserKeyedSessions>();

    private UserKeyedTokenHandler Handler => Database.Services.GetRequiredService<UserKeyedTokenHandler>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.SqliteAsync(services =>
    {
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton<IUserKeyInputsSource>(_users);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddUserKeyedJwt(o =>
        {
            o.Issuer = "https://issuer.test";
            o.Audience = "api.test";
            o.ServerSecrets.Add(new ServerSecretOptions { Id = "s1", Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        });
        services.AddUserKeyedJwtSessions();
    });

    public async ValueTask DisposeAsync() => await Database.DisposeAsync();

    [Fact]
    public async Task Refresh_ThenTheFirstRefreshTokenAgain_IsReuse_AndEndsTheSessionInTheDatabase()
    {
        var alice = new UserKeyInputs("alice", "stamp-1", "hash-1");
        _users.Set(alice);
        var first = await UserSessions.StartAsync(alice, device: "test device", cancellationToken: Ct);
        var row = Assert.Single(await Database.SessionRowsAsync());
        Assert.Equal((first.Session.Id, "alice", 0L, first.Session.Secret, "test device"), (row.Id, row.UserId, row.Generation, row.Secret, row.Device));
        Assert.True((await Handler.ValidateAsync(first.AccessToken.Token, cancellationToken: Ct)).IsValid);

        _time.Advance(TimeSpan.FromMinutes(10));
        var refreshed = await UserSessions.RefreshAsync(first.RefreshToken.Token, cancellationToken: Ct);
        Assert.True(refreshed.Succeeded);
        row = Assert.Single(await Database.SessionRowsAsync());
        Assert.Equal((1L, _time.GetUtcNow().ToUnixTimeSeconds()), (row.Generation, row.LastRefreshedAt));
        Assert.True((await Handler.ValidateAsync(refreshed.Tokens!.AccessToken.Token, cancellationToken: Ct)).IsValid);

        _time.Advance(TimeSpan.FromMinutes(1));
        var again = await UserSessions.RefreshAsync(first.RefreshToken.Token, cancellationToken: Ct);
        Assert.True(again.ReuseDetected);
        Assert.False(again.Succeeded);
        Assert.Empty(await Database.SessionRowsAsync());

        // Ended for its current holder too: neither the newest refresh token nor the newest access token works.
        var afterReuse = await UserSessions.RefreshAsync(refreshed.Tokens.RefreshToken.Token, cancellationToken: Ct);
        Assert.False(afterReuse.Succeeded);
        Assert.False(afterReuse.ReuseDetected);
        Assert.False((await Handler.ValidateAsync(refreshed.Tokens.AccessToken.Token, cancellationToken: Ct)).IsValid);

        // EF Core's command logs included: no session secret and no token, at any level.
        var logs = Database.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, r => r.Category?.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) == true);
        Assert.All(logs, r => Assert.DoesNotContain(first.Session.Secret, r.Message + r.Exception, StringComparison.Ordinal));
        Assert.All(logs, r => Assert.DoesNotMatch(@"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.", r.Message + r.Exception));
    }

    [Fact]
    public async Task RevokeTokenAsync_PutsTheTokenOnTheDatabaseDenylist_AndOnlyThatTokenFails()
    {
        var alice = new UserKeyInputs("alice", "stamp-1", "hash-1");
        _users.Set(alice);
        var phone = await UserSessions.StartAsync(alice, cancellationToken: Ct);
        var laptop = await UserSessions.StartAsync(alice, cancellationToken: Ct);

        Assert.True(await UserSessions.RevokeTokenAsync("alice", phone.AccessToken.TokenId, phone.AccessToken.ExpiresAt, Ct));

        var row = Assert.Single(await Database.RevokedTokenRowsAsync());
        Assert.Equal(("alice", phone.AccessToken.TokenId), (row.UserId, row.TokenId));
        Assert.True(row.ExpiresAt >= phone.AccessToken.ExpiresAt.ToUnixTimeSeconds());
        Assert.Equal(TokenFailureReason.TokenRevoked, (await Handler.ValidateAsync(phone.AccessToken.Token, cancellationToken: Ct)).FailureReason);
        Assert.True((await Handler.ValidateAsync(laptop.AccessToken.Token, cancellationToken: Ct)).IsValid);
    }
}
