using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using UserKeyedJwt.EntityFrameworkCore.Cleanup;
using UserKeyedJwt.EntityFrameworkCore.Tests.Support;

namespace UserKeyedJwt.EntityFrameworkCore.Tests.DependencyInjection;

public sealed class UserKeyedJwtEntityFrameworkCoreServiceCollectionExtensionsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddStores_BeforeOrAfterAddUserKeyedJwtSessions_ReplacesTheInMemoryStores(bool storesFirst)
    {
        var services = Services();
        if (storesFirst)
        {
            services.AddUserKeyedJwtEntityFrameworkCoreStores<SqliteTestDbContext>();
            services.AddUserKeyedJwtSessions();
        }
        else
        {
            services.AddUserKeyedJwtSessions();
            services.AddUserKeyedJwtEntityFrameworkCoreStores<SqliteTestDbContext>();
        }

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Assert.IsType<EntityFrameworkCoreUserKeyedSessionStore<SqliteTestDbContext>>(provider.GetRequiredService<IUserKeyedSessionStore>());
        Assert.IsType<EntityFrameworkCoreRevokedTokenStore<SqliteTestDbContext>>(provider.GetRequiredService<IRevokedTokenStore>());
        Assert.Single(services, d => d.ServiceType == typeof(IUserKeyedSessionStore));
        Assert.Single(services, d => d.ServiceType == typeof(IRevokedTokenStore));
    }

    [Fact]
    public void AddStores_Twice_RegistersEachServiceOnce()
    {
        var services = Services();
        services.AddUserKeyedJwtEntityFrameworkCoreStores<SqliteTestDbContext>();
        services.AddUserKeyedJwtEntityFrameworkCoreStores<SqliteTestDbContext>();

        using var provider = services.BuildServiceProvider();
        Assert.Single(services, d => d.ServiceType == typeof(IUserKeyedSessionStore));
        Assert.Single(services, d => d.ServiceType == typeof(IRevokedTokenStore));
        Assert.Single(provider.GetServices<IHostedService>().OfType<ExpiredEntriesCleanupService>());
        Assert.Same(provider.GetRequiredService<IUserKeyedSessionStore>(), provider.GetRequiredService<IUserKeyedSessionStore>());
    }

    [Theory]
    [InlineData(59)]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(86_401)]
    public void AddStores_CleanupIntervalOutOfRange_FailsAtStartup_NamingTheSetting(int seconds)
    {
        var services = Services();
        services.AddUserKeyedJwtEntityFrameworkCoreStores<SqliteTestDbContext>(o => o.CleanupInterval = TimeSpan.FromSeconds(seconds));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("UserKeyedJwt:EntityFrameworkCore:CleanupInterval", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(3_600)]
    [InlineData(86_400)]
    public void AddStores_CleanupIntervalInRange_PassesStartup(int seconds)
    {
        var services = Services();
        services.AddUserKeyedJwtEntityFrameworkCoreStores<SqliteTestDbContext>(o => o.CleanupInterval = TimeSpan.FromSeconds(seconds));
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(TimeSpan.FromSeconds(seconds), provider.GetRequiredService<IOptions<UserKeyedJwtEntityFrameworkCoreOptions>>().Value.CleanupInterval);
    }

    [Fact]
    public void AddStores_WithoutSettings_PassesStartup_WithAnHourlySweep()
    {
        var services = Services();
        services.AddUserKeyedJwtEntityFrameworkCoreStores<SqliteTestDbContext>();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(TimeSpan.FromHours(1), provider.GetRequiredService<IOptions<UserKeyedJwtEntityFrameworkCoreOptions>>().Value.CleanupInterval);
    }

    private static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IUserKeyInputsSource>(new InMemoryUserKeyInputsSource());
        services.AddDbContext<SqliteTestDbContext>(o => o.UseSqlite("Data Source=unused.db"));
        return services;
    }
}
