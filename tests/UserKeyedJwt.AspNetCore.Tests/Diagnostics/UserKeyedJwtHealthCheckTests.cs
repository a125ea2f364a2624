using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using UserKeyedJwt.Redis.Tests.Support;

namespace UserKeyedJwt.AspNetCore.Tests.Diagnostics;

public class UserKeyedJwtHealthCheckTests
{
    [Fact]
    public async Task Health_OneNodeWithTheEfStore_IsHealthy()
    {
        await using var host = await HealthHost.StartAsync();

        var (status, body) = await host.GetHealthAsync();

        Assert.Equal(200, status);
        Assert.Equal(
            "Healthy\n"
            + "userkeyedjwt.invalidation_bus=Healthy: No invalidation bus is registered: one node, the key cache is in use.\n"
            + "userkeyedjwt.session_store=Healthy: The session store answers.\n",
            body);
    }

    [Fact]
    public async Task Health_SqliteFileBroken_SessionStoreIsUnhealthy_AndTheAnswerNamesNoPath()
    {
        await using var host = await HealthHost.StartAsync();
        Assert.Equal(200, (await host.GetHealthAsync()).Status);

        host.BreakDatabase();
        var (status, body) = await host.GetHealthAsync();

        Assert.Equal(503, status);
        Assert.StartsWith("Unhealthy\n", body, StringComparison.Ordinal);
        Assert.Contains("userkeyedjwt.session_store=Unhealthy: The session store failed: SqliteException.", body, StringComparison.Ordinal);
        Assert.Contains("userkeyedjwt.invalidation_bus=Healthy", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetFileName(host.DatabasePath), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_RedisStoppedAndStartedAgain_BusIsDegradedThenHealthy()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var host = await HealthHost.StartAsync(o =>
        {
            o.Configuration = redis.Configuration;
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(100);
            o.HeartbeatTimeout = TimeSpan.FromMilliseconds(300);
            o.Timeout = TimeSpan.FromMilliseconds(500);
        });

        var up = await host.WaitForHealthAsync("invalidation_bus=Healthy", TimeSpan.FromSeconds(10));
        Assert.Equal((200, "Healthy\n"), (up.Status, up.Body[..8]));
        Assert.Contains("userkeyedjwt.invalidation_bus=Healthy: The invalidation bus is connected: the key cache is in use.", up.Body, StringComparison.Ordinal);

        await redis.StopAsync();
        var down = await host.WaitForHealthAsync("invalidation_bus=Degraded", TimeSpan.FromSeconds(10));

        // Degraded answers 200: the app still serves every request, from the database.
        Assert.Equal(200, down.Status);
        Assert.StartsWith("Degraded\n", down.Body, StringComparison.Ordinal);
        Assert.Contains("userkeyedjwt.invalidation_bus=Degraded: The invalidation bus is not known to be connected: the key cache is bypassed and every token reads the stores.", down.Body, StringComparison.Ordinal);
        Assert.Contains("userkeyedjwt.session_store=Healthy", down.Body, StringComparison.Ordinal);

        await redis.StartAgainAsync();
        var again = await host.WaitForHealthAsync("invalidation_bus=Healthy", TimeSpan.FromSeconds(20));
        Assert.StartsWith("Healthy\n", again.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_WithoutSessions_SessionStoreIsHealthy()
    {
        await using var host = await HealthHost.StartAsync(sessions: false);

        var (status, body) = await host.GetHealthAsync();

        Assert.Equal(200, status);
        Assert.Contains("userkeyedjwt.session_store=Healthy: Sessions are not registered.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddUserKeyedJwt_CalledTwice_RegistersEachCheckOnce()
    {
        var services = new ServiceCollection();
        services.AddHealthChecks().AddUserKeyedJwt().AddUserKeyedJwt(["ready"]);
        await using var provider = services.BuildServiceProvider();

        var registrations = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        Assert.Equal(["userkeyedjwt.invalidation_bus", "userkeyedjwt.session_store"], registrations.Select(r => r.Name));
    }
}
