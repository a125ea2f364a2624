using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UserKeyedJwt;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers UserKeyedJwt sessions: sign-in, refresh rotation with reuse detection, logout, and the <c>jti</c> denylist.</summary>
public static class UserKeyedJwtSessionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="UserKeyedSessions"/>, with the in-memory session store and denylist unless others are registered
    /// (before or after, as <c>UserKeyedJwt.EntityFrameworkCore</c> does). Also registers the core (<c>AddUserKeyedJwt</c>).
    /// Calling this twice is harmless.
    /// </summary>
    public static IServiceCollection AddUserKeyedJwtSessions(this IServiceCollection services) => services.AddUserKeyedJwtSessions(static _ => { });

    /// <summary>
    /// Registers <see cref="UserKeyedSessions"/>, with session settings validated at startup.
    /// See <see cref="AddUserKeyedJwtSessions(IServiceCollection)"/>.
    /// </summary>
    public static IServiceCollection AddUserKeyedJwtSessions(this IServiceCollection services, Action<UserKeyedSessionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddUserKeyedJwt();
        services.AddOptions<UserKeyedSessionOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UserKeyedSessionOptions>, UserKeyedSessionOptionsValidator>());
        services.TryAddSingleton<IUserKeyedSessionStore>(static sp => new InMemoryUserKeyedSessionStore(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<UserKeyedSessionOptions>>().Value.InMemoryStoreCapacity));
        services.TryAddSingleton<IRevokedTokenStore, InMemoryRevokedTokenStore>();
        services.TryAddSingleton(static sp => new UserKeyedSessions(
            sp.GetRequiredService<IOptions<UserKeyedJwtOptions>>(),
            sp.GetRequiredService<IOptions<UserKeyedSessionOptions>>(),
            sp.GetRequiredService<UserKeyedTokenIssuer>(),
            sp.GetRequiredService<UserKeyedTokenHandler>(),
            sp.GetRequiredService<IUserKeyedSessionStore>(),
            sp.GetRequiredService<IRevokedTokenStore>(),
            sp.GetRequiredService<UserKeyInputsLookup>(),
            sp.GetRequiredService<ServerSecretRingProvider>(),
            sp.GetRequiredService<IUserKeyCache>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<UserKeyedJwtMetrics>(),
            sp.GetRequiredService<ILogger<UserKeyedSessions>>()));
        return services;
    }
}
