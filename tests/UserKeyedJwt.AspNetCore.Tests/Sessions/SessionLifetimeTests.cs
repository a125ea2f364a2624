using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using UserKeyedJwt.AspNetCore.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Sessions;

/// <summary>Each lifetime limit through the real app, on a <see cref="FakeTimeProvider"/> that the whole app uses.</summary>
public sealed class SessionLifetimeTests
{
    private static SampleApp NewApp(FakeTimeProvider time, IReadOnlyDictionary<string, string?>? settings = null) =>
        SampleApp.Create(settings, configureServices: services => services.AddSingleton<TimeProvider>(time));

    [Fact]
    public async Task AccessToken_After10Minutes_Is401_AndOneRefreshRestoresAccess()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = NewApp(time);
        using var api = app.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());

        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(31));

        Assert.Equal(HttpStatusCode.Unauthorized, await api.MeStatusAsync(pair.Access));
        var (status, fresh) = await api.RefreshAsync(pair.Refresh);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, await api.MeStatusAsync(fresh!.Access));
    }

    [Fact]
    public async Task Refresh_AfterInactivityTimeout_Is401()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = NewApp(time);
        using var api = app.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());

        time.Advance(TimeSpan.FromDays(6));
        var (status, fresh) = await api.RefreshAsync(pair.Refresh);
        Assert.Equal(HttpStatusCode.OK, status);

        time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(fresh!.Refresh)).Status);
    }

    [Fact]
    public async Task Refresh_PastAbsoluteLifetime_Is401_EvenWhenRefreshedEveryFewDays()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = NewApp(time);
        using var api = app.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());

        for (var day = 5; day < 30; day += 5)
        {
            time.Advance(TimeSpan.FromDays(5));
            var (status, next) = await api.RefreshAsync(pair.Refresh);
            Assert.True(status == HttpStatusCode.OK, $"day {day}: {(int)status}");
            pair = next!;
        }

        // Day 25: the refresh token expires at day 30, the session's absolute end, not at day 32.
        Assert.True(pair.RefreshExpiresIn <= TimeSpan.FromDays(5).TotalSeconds + 1, $"{pair.RefreshExpiresIn}");
        time.Advance(TimeSpan.FromDays(5) + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(pair.Refresh)).Status);
    }

    [Fact]
    public async Task Refresh_WithConfiguredShorterLimits_FollowsTheSettings()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = NewApp(time, new Dictionary<string, string?>
        {
            ["UserKeyedJwt:Sessions:AbsoluteLifetime"] = "02:00:00",
            ["UserKeyedJwt:Sessions:InactivityTimeout"] = "01:00:00",
        });
        using var api = app.Api();
        var pair = await api.LoginPairAsync(await api.NewUserAsync());
        Assert.Equal(3600, pair.RefreshExpiresIn);

        time.Advance(TimeSpan.FromMinutes(50));
        pair = (await api.RefreshAsync(pair.Refresh)).Pair!;
        time.Advance(TimeSpan.FromMinutes(50));
        pair = (await api.RefreshAsync(pair.Refresh)).Pair!;
        Assert.Equal(20 * 60, pair.RefreshExpiresIn);
        time.Advance(TimeSpan.FromMinutes(21));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.RefreshAsync(pair.Refresh)).Status);
    }

    [Fact]
    public async Task Startup_InvalidSessionSetting_FailsNamingIt()
    {
        await using var app = SampleApp.Create(new Dictionary<string, string?> { ["UserKeyedJwt:Sessions:InactivityTimeout"] = "40.00:00:00" });
        var ex = Assert.ThrowsAny<Exception>(() => app.Api());
        Assert.Contains("UserKeyedJwt:Sessions:InactivityTimeout", ex.ToString(), StringComparison.Ordinal);
    }
}
