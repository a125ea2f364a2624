using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using UserKeyedJwt.EntityFrameworkCore.Cleanup;
using UserKeyedJwt.EntityFrameworkCore.Tests.Support;
using static UserKeyedJwt.EntityFrameworkCore.Tests.Support.Sessions;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.Cleanup;

public sealed class ExpiredEntriesCleanupServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly FakeLogCollector _logs = new();
    private TestDatabase? _database;

    private TestDatabase Database => _database!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.SqliteAsync();

    public async ValueTask DisposeAsync() => await Database.DisposeAsync();

    [Fact]
    public async Task Sweep_AtStartupAndOnEachTick_DeletesWhatEndedOrExpired()
    {
        var endsWithinTheHour = New("alice", lastRefreshedAt: Start, expiresAt: Start.AddMinutes(30));
        var goesInactive = New("alice", lastRefreshedAt: Start, expiresAt: Start.AddDays(30));
        var ended = New("bob", lastRefreshedAt: Start.AddDays(-2), createdAt: Start.AddDays(-2), expiresAt: Start.AddMinutes(-1));
        foreach (var session in new[] { endsWithinTheHour, goesInactive, ended })
        {
            await Database.Sessions.AddAsync(session, 10, Ct);
        }

        var expiresWithinTheHour = Random(16);
        var livesADay = Random(16);
        await Database.RevokedTokens.RevokeAsync("alice", expiresWithinTheHour, Start.AddMinutes(30), 10, Start, Ct);
        await Database.RevokedTokens.RevokeAsync("alice", livesADay, Start.AddDays(1), 10, Start, Ct);

        // Inactive once unrefreshed for two hours: the sweep takes the timeout from the session options.
        var probe = new SweepProbe(Database.Sessions, Database.RevokedTokens);
        using var service = Service(probe, TimeSpan.FromHours(2));
        await service.StartAsync(Ct);

        Assert.Equal(Start, await probe.NextSweepAsync());
        Assert.Equal(new[] { endsWithinTheHour.Id, goesInactive.Id }.Order(), await SessionIdsAsync());
        Assert.Equal(2, (await Database.RevokedTokenRowsAsync()).Count);

        _time.Advance(Interval);
        Assert.Equal(Start + Interval, await probe.NextSweepAsync());
        Assert.Equal([goesInactive.Id], await SessionIdsAsync());
        Assert.Equal([livesADay], (await Database.RevokedTokenRowsAsync()).Select(t => t.TokenId));

        _time.Advance(Interval);
        await probe.NextSweepAsync();
        Assert.Equal([goesInactive.Id], await SessionIdsAsync());

        _time.Advance(Interval);
        await probe.NextSweepAsync();
        Assert.Empty(await SessionIdsAsync());
        await service.StopAsync(Ct);

        var removed = _logs.GetSnapshot().Where(r => r.Id.Id is 4001 or 4002).Select(r => (r.Id.Id, r.Message)).ToList();
        Assert.Equal(
            [
                (4001, "The sweep deleted 1 sessions that ended or were inactive."),
                (4001, "The sweep deleted 1 sessions that ended or were inactive."),
                (4002, "The sweep deleted 1 denylist entries of expired tokens."),
                (4001, "The sweep deleted 1 sessions that ended or were inactive."),
            ],
            removed);
    }

    [Fact]
    public async Task Sweep_StoreThatThrows_IsLogged_AndTheServiceSweepsAgainAtTheNextTick()
    {
        var ended = New("alice", lastRefreshedAt: Start.AddDays(-1), createdAt: Start.AddDays(-1), expiresAt: Start.AddMinutes(-1));
        await Database.Sessions.AddAsync(ended, 10, Ct);
        await Database.RevokedTokens.RevokeAsync("alice", Random(16), Start.AddMinutes(-1), 10, Start.AddMinutes(-2), Ct);
        var probe = new SweepProbe(Database.Sessions, Database.RevokedTokens) { SessionFailures = 2 };
        using var service = Service(probe, TimeSpan.FromDays(7));
        await service.StartAsync(Ct);

        await probe.NextSweepAsync();
        Assert.Equal([ended.Id], await SessionIdsAsync());
        Assert.Empty(await Database.RevokedTokenRowsAsync());

        _time.Advance(Interval);
        await probe.NextSweepAsync();
        Assert.Equal([ended.Id], await SessionIdsAsync());

        _time.Advance(Interval);
        await probe.NextSweepAsync();
        Assert.Empty(await SessionIdsAsync());
        Assert.False(service.ExecuteTask!.IsCompleted);
        await service.StopAsync(Ct);
        Assert.True(service.ExecuteTask.IsCompletedSuccessfully);

        var failures = _logs.GetSnapshot().Where(r => r.Id.Id == 4003).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, f =>
        {
            Assert.Equal(LogLevel.Warning, f.Level);
            Assert.Equal("The sweep of sessions failed; it runs again in 01:00:00.", f.Message);
            Assert.IsType<InvalidOperationException>(f.Exception);
        });
        Assert.All(_logs.GetSnapshot(), r => Assert.DoesNotContain(ended.Secret, r.Message + r.Exception, StringComparison.Ordinal));
    }

    private ExpiredEntriesCleanupService Service(SweepProbe probe, TimeSpan inactivityTimeout) => new(
        probe.Sessions,
        probe.RevokedTokens,
        Options.Create(new UserKeyedJwtEntityFrameworkCoreOptions { CleanupInterval = Interval }),
        Options.Create(new UserKeyedSessionOptions { InactivityTimeout = inactivityTimeout }),
        _time,
        new FakeLogger<ExpiredEntriesCleanupService>(_logs));

    private async Task<List<string>> SessionIdsAsync() => [.. (await Database.SessionRowsAsync()).Select(s => s.Id).Order()];
}
