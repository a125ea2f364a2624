using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using UserKeyedJwt;
using UserKeyedJwt.EntityFrameworkCore;
using UserKeyedJwt.EntityFrameworkCore.Cleanup;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers UserKeyedJwt's sessions and <c>jti</c> denylist in the application's database, through Entity Framework Core.</summary>
public static class UserKeyedJwtEntityFrameworkCoreServiceCollectionExtensions
{
    /// <summary>
    /// Keeps sessions and the <c>jti</c> denylist in the database of <typeparamref name="TContext"/>, in place of the in-memory
    /// stores of <c>AddUserKeyedJwtSessions</c>, whether that is called before or after; and sweeps their expired rows in the
    /// background. <typeparamref name="TContext"/> must be registered (<c>AddDbContext</c>). Calling this twice is harmless.
    /// </summary>
    /// <typeparam name="TContext">The application's context, which implements <see cref="IUserKeyedJwtDbContext"/>.</typeparam>
    public static IServiceCollection AddUserKeyedJwtEntityFrameworkCoreStores<TContext>(this IServiceCollection services)
        where TContext : DbContext, IUserKeyedJwtDbContext =>
        services.AddUserKeyedJwtEntityFrameworkCoreStores<TContext>(static _ => { });

    /// <summary>
    /// Keeps sessions and the <c>jti</c> denylist in the database of <typeparamref name="TContext"/>, with sweep settings
    /// validated at startup. See <see cref="AddUserKeyedJwtEntityFrameworkCoreStores{TContext}(IServiceCollection)"/>.
    /// </summary>
    /// <typeparam name="TContext">The application's context, which implements <see cref="IUserKeyedJwtDbContext"/>.</typeparam>
    public static IServiceCollection AddUserKeyedJwtEntityFrameworkCoreStores<TContext>(this IServiceCollection services, Action<UserKeyedJwtEntityFrameworkCoreOptions> configure)
        where TContext : DbContext, IUserKeyedJwtDbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<UserKeyedJwtEntityFrameworkCoreOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UserKeyedJwtEntityFrameworkCoreOptions>, UserKeyedJwtEntityFrameworkCoreOptionsValidator>());
        services.AddOptions<UserKeyedSessionOptions>();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EntityFrameworkCoreUserKeyedSessionStore<TContext>>();
        services.TryAddSingleton<EntityFrameworkCoreRevokedTokenStore<TContext>>();

        // AddUserKeyedJwtSessions only tries to add its in-memory stores: replacing them here wins in either order.
        services.RemoveAll<IUserKeyedSessionStore>();
        services.AddSingleton<IUserKeyedSessionStore>(static sp => sp.GetRequiredService<EntityFrameworkCoreUserKeyedSessionStore<TContext>>());
        services.RemoveAll<IRevokedTokenStore>();
        services.AddSingleton<IRevokedTokenStore>(static sp => sp.GetRequiredService<EntityFrameworkCoreRevokedTokenStore<TContext>>());
        services.AddHostedService<ExpiredEntriesCleanupService>();
        return services;
    }
}
